-- Deprivation of a registered population: each LSOA's IMD 2019 score weighted by the practice's patients who
-- live there (the by-LSOA registrations), summed to practice, PCN, ICB and England; and the share of
-- patients living in each national IMD quintile (1 = most deprived). Patients with no LSOA, or an LSOA not in
-- the IMD, are left out of both numerator and denominator.
CREATE OR REPLACE TABLE practice_lsoa_imd AS
SELECT r.period, r.practice_code, r.lsoa_code, r.patients, i.imd_score, i.imd_decile,
       CAST(ceil(i.imd_decile / 2) AS INTEGER) AS imd_quintile
FROM patients_lsoa r JOIN imd i USING (lsoa_code)
WHERE r.patients > 0;

CREATE OR REPLACE TABLE area_deprivation AS
WITH joined AS (
    SELECT d.*, m.pcn_code, m.icb_code FROM practice_lsoa_imd d LEFT JOIN practice_pcn m USING (period, practice_code)
), levels AS (
    SELECT 'practice' AS level, practice_code AS area_code, * FROM joined
    UNION ALL SELECT 'pcn', pcn_code, * FROM joined WHERE pcn_code IS NOT NULL
    UNION ALL SELECT 'icb', icb_code, * FROM joined WHERE icb_code IS NOT NULL
    UNION ALL SELECT 'england', 'ENGLAND', * FROM joined
)
SELECT level, area_code, period,
       sum(patients * imd_score) FILTER (WHERE imd_score IS NOT NULL)
           / sum(patients) FILTER (WHERE imd_score IS NOT NULL) AS imd_score,
       sum(patients)::BIGINT AS patients,
       sum(patients) FILTER (WHERE imd_quintile = 1)::BIGINT AS q1_patients,
       sum(patients) FILTER (WHERE imd_quintile = 2)::BIGINT AS q2_patients,
       sum(patients) FILTER (WHERE imd_quintile = 3)::BIGINT AS q3_patients,
       sum(patients) FILTER (WHERE imd_quintile = 4)::BIGINT AS q4_patients,
       sum(patients) FILTER (WHERE imd_quintile = 5)::BIGINT AS q5_patients
FROM levels GROUP BY ALL;

CREATE OR REPLACE TABLE pcn_deprivation AS
SELECT period, area_code AS pcn_code, imd_score, patients,
       q1_patients, q2_patients, q3_patients, q4_patients, q5_patients
FROM area_deprivation WHERE level = 'pcn';

CREATE OR REPLACE TABLE pcn_lsoa_assignment AS
SELECT d.period, d.lsoa_code, arg_max(m.pcn_code, d.patients) AS pcn_code, any_value(b.geometry_wkb) AS geometry_wkb
FROM practice_lsoa_imd d JOIN practice_pcn m USING (period, practice_code)
JOIN lsoa_boundaries b USING (lsoa_code)
WHERE m.pcn_code IS NOT NULL
GROUP BY d.period, d.lsoa_code;
