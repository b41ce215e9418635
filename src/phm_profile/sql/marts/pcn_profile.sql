-- pcn_profile: one row per PCN, period and indicator with its value, 95% and 99.8% intervals
-- (intermediate/area_indicator_values), the ICB and England values, and the Fingertips comparison of the
-- 95% interval with each.
CREATE OR REPLACE TABLE pcn_profile AS
WITH pcns AS (
    SELECT m.period, m.pcn_code, any_value(m.pcn_name) AS pcn_name, any_value(i.icb_code) AS icb_code
    FROM practice_pcn m JOIN pcn_icb i USING (period, pcn_code) WHERE m.pcn_code IS NOT NULL GROUP BY ALL
)
SELECT p.area_code AS pcn_code, m.pcn_name, m.icb_code, p.period, p.indicator, p.numerator, p.denominator,
       p.value, p.lower_95, p.upper_95, p.lower_998, p.upper_998, i.value AS icb_value, e.value AS england_value,
       compare_with(p.lower_95, p.upper_95, i.value) AS vs_icb,
       compare_with(p.lower_95, p.upper_95, e.value) AS vs_england
FROM area_indicator_values p
JOIN pcns m ON m.period = p.period AND m.pcn_code = p.area_code
LEFT JOIN area_indicator_values i ON i.level = 'icb' AND i.area_code = m.icb_code AND i.period = p.period
     AND i.indicator = p.indicator
LEFT JOIN area_indicator_values e ON e.level = 'england' AND e.period = p.period AND e.indicator = p.indicator
WHERE p.level = 'pcn';
