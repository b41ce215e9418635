-- practice_profile: the practices inside each PCN, one row per practice, period and indicator with practice data
-- (lists and registers): its value and intervals (intermediate/area_indicator_values), its PCN's, ICB's and
-- England's values, and the comparison of its 95% interval with its PCN. The practice's name from ODS where
-- loaded, else the mapping's; closed practices and settings other than a GP practice flagged from ODS.
CREATE OR REPLACE TABLE practice_profile AS
WITH members AS (
    SELECT m.period, m.practice_code, any_value(m.practice_name) AS mapped_name, any_value(m.pcn_code) AS pcn_code,
           any_value(pi.icb_code) AS icb_code
    FROM practice_pcn m JOIN pcn_icb pi USING (period, pcn_code) WHERE m.pcn_code IS NOT NULL GROUP BY ALL
)
SELECT v.area_code AS practice_code, coalesce(o.practice_name, m.mapped_name, v.area_code) AS practice_name,
       m.pcn_code, m.icb_code, v.period, v.indicator, v.numerator, v.denominator, v.value, v.lower_95, v.upper_95,
       v.lower_998, v.upper_998, p.value AS pcn_value, p.icb_value, p.england_value,
       compare_with(v.lower_95, v.upper_95, p.value) AS vs_pcn,
       compare_with(v.lower_95, v.upper_95, p.icb_value) AS vs_icb,
       compare_with(v.lower_95, v.upper_95, p.england_value) AS vs_england,
       o.status = 'C' OR o.close_date IS NOT NULL AS closed,
       o.setting IS NOT NULL AND o.setting <> '4' AS not_gp_practice, o.setting
FROM area_indicator_values v
JOIN members m ON m.period = v.period AND m.practice_code = v.area_code
JOIN pcn_profile p ON p.pcn_code = m.pcn_code AND p.period = v.period AND p.indicator = v.indicator
LEFT JOIN (SELECT * FROM practices QUALIFY row_number() OVER (PARTITION BY practice_code ORDER BY source_file DESC) = 1) o
       ON o.practice_code = v.area_code
WHERE v.level = 'practice';
