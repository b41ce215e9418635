-- area_deprivation: practice_deprivation summed to PCN, ICB and England, with the share of patients living in
-- each national IMD quintile (1 = most deprived). The 1.6 million registration rows are read once, into
-- per-practice sums; PCN, ICB and England add up those sums.
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
        GROUP BY GROUPING SETS ((period, m.pcn_code), (period, m.icb_code), (period), (period, m.icb_code, m.pcn_code))
    ) WHERE area_code IS NOT NULL
)
SELECT level, area_code, period, weighted_score / scored_patients AS imd_score,
       weighted_rank / ranked_patients AS imd_rank, patients::BIGINT AS patients,
       q1_patients::BIGINT AS q1_patients, q2_patients::BIGINT AS q2_patients, q3_patients::BIGINT AS q3_patients,
       q4_patients::BIGINT AS q4_patients, q5_patients::BIGINT AS q5_patients
FROM summed;
