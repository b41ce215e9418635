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

-- Without practice-by-LSOA registrations for a period, each practice's patients are placed in the LSOA of the
-- practice itself (its location within the LSOA boundaries, practice_lsoa), weighted by its registered patients
-- (else its TOTAL list): a coarser measure, named in ``method`` and on screen.
CREATE OR REPLACE VIEW practice_location_patients AS
SELECT d.period, l.practice_code, l.lsoa_code, coalesce(p.patients, t.list_size) AS patients
FROM (SELECT DISTINCT period FROM practice_pcn
      WHERE period NOT IN (SELECT period FROM population_source WHERE dataset = 'patients_lsoa')) d
JOIN practice_lsoa l ON TRUE
LEFT JOIN (SELECT period, practice_code, sum(patients) AS patients FROM practice_population GROUP BY ALL) p
       ON p.period = d.period AND p.practice_code = l.practice_code
LEFT JOIN practice_list_size t ON t.period = d.period AND t.practice_code = l.practice_code AND t.list_type = 'TOTAL'
WHERE coalesce(p.patients, t.list_size) > 0;

-- An IMD file with scores (File 7) gives the population-weighted score; one with ranks only (File 1) the
-- population-weighted rank (1 = most deprived); deciles give the quintile shares either way.
CREATE OR REPLACE TABLE practice_deprivation AS
SELECT r.period, r.practice_code, r.method,
       sum(r.patients * i.imd_score) AS weighted_score,
       sum(r.patients) FILTER (WHERE i.imd_score IS NOT NULL) AS scored_patients,
       sum(r.patients * i.imd_rank) AS weighted_rank,
       sum(r.patients) FILTER (WHERE i.imd_rank IS NOT NULL) AS ranked_patients,
       sum(r.patients)::BIGINT AS patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (1, 2))::BIGINT AS q1_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (3, 4))::BIGINT AS q2_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (5, 6))::BIGINT AS q3_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (7, 8))::BIGINT AS q4_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (9, 10))::BIGINT AS q5_patients
FROM (SELECT *, 'registered patients by LSOA' AS method FROM practice_lsoa_patients
      UNION ALL BY NAME
      SELECT *, 'practice location' AS method FROM practice_location_patients) r
JOIN imd i USING (lsoa_code)
WHERE r.patients > 0
GROUP BY r.period, r.practice_code, r.method;

CREATE OR REPLACE TABLE area_deprivation AS
WITH summed AS (
    SELECT 'practice' AS level, practice_code AS area_code, period, weighted_score, scored_patients,
           weighted_rank, ranked_patients, patients, q1_patients, q2_patients, q3_patients, q4_patients, q5_patients
    FROM practice_deprivation
    UNION ALL
    SELECT * FROM (
        SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
               rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
               period, sum(weighted_score), sum(scored_patients), sum(weighted_rank), sum(ranked_patients),
               sum(patients), sum(q1_patients),
               sum(q2_patients), sum(q3_patients), sum(q4_patients), sum(q5_patients)
        FROM practice_deprivation LEFT JOIN practice_pcn m USING (period, practice_code)
        GROUP BY GROUPING SETS ((period, m.pcn_code), (period, m.icb_code), (period))
    ) WHERE area_code IS NOT NULL
)
SELECT level, area_code, period, weighted_score / scored_patients AS imd_score,
       weighted_rank / ranked_patients AS imd_rank, patients::BIGINT AS patients,
       q1_patients::BIGINT AS q1_patients, q2_patients::BIGINT AS q2_patients, q3_patients::BIGINT AS q3_patients,
       q4_patients::BIGINT AS q4_patients, q5_patients::BIGINT AS q5_patients
FROM summed;

CREATE OR REPLACE VIEW pcn_deprivation AS
SELECT period, area_code AS pcn_code, imd_score, imd_rank, patients,
       q1_patients, q2_patients, q3_patients, q4_patients, q5_patients
FROM area_deprivation WHERE level = 'pcn';

-- pcn_lsoa_assignment: each LSOA with a boundary goes to the PCN of the practice registering most of its
-- patients (for the maps); for a period without registrations by LSOA, to the PCN of the practice nearest
-- the LSOA (lsoa_nearest_practice, from the practices' locations). ``method`` says which.
CREATE OR REPLACE TABLE pcn_lsoa_assignment AS
SELECT r.period, r.lsoa_code, arg_max(m.pcn_code, r.patients) AS pcn_code, any_value(b.geometry_wkb) AS geometry_wkb,
       'registered patients by LSOA' AS method
FROM practice_lsoa_patients r
JOIN lsoa_boundaries b USING (lsoa_code)
JOIN practice_pcn m USING (period, practice_code)
WHERE r.patients > 0 AND m.pcn_code IS NOT NULL AND r.lsoa_code IN (SELECT lsoa_code FROM imd)
GROUP BY r.period, r.lsoa_code
UNION ALL
SELECT m.period, n.lsoa_code, m.pcn_code, b.geometry_wkb, 'nearest practice' AS method
FROM lsoa_nearest_practice n
JOIN lsoa_boundaries b USING (lsoa_code)
JOIN practice_pcn m ON m.practice_code = n.practice_code
WHERE m.pcn_code IS NOT NULL
  AND m.period NOT IN (SELECT period FROM population_source WHERE dataset = 'patients_lsoa');
