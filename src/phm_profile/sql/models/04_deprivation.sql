-- Deprivation of a registered population: each LSOA's IMD 2019 score weighted by the practice's patients who
-- live there (the by-LSOA registrations), summed to practice, PCN, ICB and England; and the share of
-- patients living in each national IMD quintile (1 = most deprived). Patients with no LSOA, or an LSOA not in
-- the IMD, are left out of both numerator and denominator. The 1.6 million registration rows are read once,
-- into per-practice sums; PCN, ICB and England add up those sums.
CREATE OR REPLACE VIEW practice_lsoa_patients AS
SELECT s.period, r.practice_code, r.lsoa_code, r.patients
FROM population_source s
JOIN patients_lsoa r ON r.period = s.source_period AND r.extract_date = s.extract_date
WHERE s.dataset = 'patients_lsoa';

CREATE OR REPLACE TABLE practice_deprivation AS
SELECT r.period, r.practice_code,
       sum(r.patients * i.imd_score) AS weighted_score,
       sum(r.patients) FILTER (WHERE i.imd_score IS NOT NULL) AS scored_patients,
       sum(r.patients)::BIGINT AS patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (1, 2))::BIGINT AS q1_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (3, 4))::BIGINT AS q2_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (5, 6))::BIGINT AS q3_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (7, 8))::BIGINT AS q4_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (9, 10))::BIGINT AS q5_patients
FROM practice_lsoa_patients r JOIN imd i USING (lsoa_code)
WHERE r.patients > 0
GROUP BY r.period, r.practice_code;

CREATE OR REPLACE TABLE area_deprivation AS
WITH summed AS (
    SELECT 'practice' AS level, practice_code AS area_code, period, weighted_score, scored_patients, patients,
           q1_patients, q2_patients, q3_patients, q4_patients, q5_patients
    FROM practice_deprivation
    UNION ALL
    SELECT * FROM (
        SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
               rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
               period, sum(weighted_score), sum(scored_patients), sum(patients), sum(q1_patients),
               sum(q2_patients), sum(q3_patients), sum(q4_patients), sum(q5_patients)
        FROM practice_deprivation LEFT JOIN practice_pcn m USING (period, practice_code)
        GROUP BY GROUPING SETS ((period, m.pcn_code), (period, m.icb_code), (period))
    ) WHERE area_code IS NOT NULL
)
SELECT level, area_code, period, weighted_score / scored_patients AS imd_score, patients::BIGINT AS patients,
       q1_patients::BIGINT AS q1_patients, q2_patients::BIGINT AS q2_patients, q3_patients::BIGINT AS q3_patients,
       q4_patients::BIGINT AS q4_patients, q5_patients::BIGINT AS q5_patients
FROM summed;

CREATE OR REPLACE VIEW pcn_deprivation AS
SELECT period, area_code AS pcn_code, imd_score, patients,
       q1_patients, q2_patients, q3_patients, q4_patients, q5_patients
FROM area_deprivation WHERE level = 'pcn';

-- pcn_lsoa_assignment: each LSOA with a boundary goes to the PCN of the practice registering most of its
-- patients (for the maps).
CREATE OR REPLACE TABLE pcn_lsoa_assignment AS
SELECT r.period, r.lsoa_code, arg_max(m.pcn_code, r.patients) AS pcn_code, any_value(b.geometry_wkb) AS geometry_wkb
FROM practice_lsoa_patients r
JOIN lsoa_boundaries b USING (lsoa_code)
JOIN practice_pcn m USING (period, practice_code)
WHERE r.patients > 0 AND m.pcn_code IS NOT NULL AND r.lsoa_code IN (SELECT lsoa_code FROM imd)
GROUP BY r.period, r.lsoa_code;
