-- area_indicator: every indicator of the profile (data/indicators.csv, seeded as ``indicators``) for every
-- PCN, ICB and England, and for each practice where the indicator has practice data (lists, registers), as
-- numerator and denominator (a view read once, by marts/pcn_profile.sql, which adds
-- the values and intervals). kind: proportion (Wilson), rate (Byar's / exact Poisson), ratio (observed /
-- expected, count interval), score (IMD score, no interval), count (list size, no interval).
-- A new indicator is a row in data/indicators.csv and a branch of this union.
CREATE OR REPLACE VIEW area_indicator AS
WITH lists AS (SELECT level, area_code, period, list_type, list_size FROM area_list_size
               UNION ALL  -- each practice, as its PCN's practices inside it (marts/practice_profile)
               SELECT 'practice', practice_code, period, list_type, list_size FROM practice_list_size),
total AS (SELECT * FROM lists WHERE list_type = 'TOTAL'),
registers AS (SELECT level, area_code, period, group_code, register, denominator FROM area_prevalence
              UNION ALL
              SELECT 'practice', practice_code, period, group_code, register, denominator FROM practice_prevalence)
SELECT level, area_code, period, 'list_size' AS indicator, list_size::DOUBLE AS numerator, NULL::DOUBLE AS denominator FROM total
UNION ALL
SELECT t.level, t.area_code, t.period, 'age_65_plus', o.list_size, t.list_size
FROM total t JOIN lists o ON o.level = t.level AND o.area_code = t.area_code AND o.period = t.period AND o.list_type = '65OV'
UNION ALL
-- Without a 65OV list (the QOF raw data publish none), from the registrations by age (population_source).
SELECT level, area_code, period, 'age_65_plus',
       sum(patients) FILTER (WHERE age_band IN ('65_69', '70_74', '75_79', '80_84', '85_89', '90_94', '95+')),
       sum(patients)
FROM area_population a
WHERE NOT EXISTS (SELECT 1 FROM lists o WHERE o.level = a.level AND o.area_code = a.area_code
                  AND o.period = a.period AND o.list_type = '65OV')
GROUP BY level, area_code, period
UNION ALL
SELECT level, area_code, period, 'imd_score', imd_score, NULL FROM area_deprivation
WHERE level <> 'practice' AND imd_score IS NOT NULL
UNION ALL
SELECT level, area_code, period, 'imd_rank', imd_rank, NULL FROM area_deprivation
WHERE level <> 'practice' AND imd_score IS NULL AND imd_rank IS NOT NULL
UNION ALL
SELECT level, area_code, period, 'imd_q1_share', coalesce(q1_patients, 0), patients FROM area_deprivation WHERE level <> 'practice'
UNION ALL
SELECT level, area_code, period, 'prev_' || lower(group_code), register, denominator FROM registers
UNION ALL
SELECT p.level, p.area_code, p.period,
       CASE x.condition WHEN 'CMD' THEN 'cmd_recorded_vs_expected' ELSE 'smi_recorded_vs_expected' END,
       p.register, x.expected
FROM area_prevalence p JOIN area_expected x
  ON x.level = p.level AND x.area_code = p.area_code AND x.period = p.period
 AND ((x.condition = 'CMD' AND p.group_code = 'DEP') OR (x.condition = 'SMI' AND p.group_code = 'MH'))
UNION ALL
SELECT level, area_code, period, 'svc_' || measure, numerator, denominator FROM area_service_usage;
