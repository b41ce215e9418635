-- pcn_profile: one row per PCN, period and indicator with its value, 95% and 99.8% intervals (the OHID
-- method of its kind, macros/intervals.sql), the ICB and England values, and the Fingertips comparison of the
-- 95% interval with each.
CREATE OR REPLACE TABLE pcn_profile AS
WITH inputs AS (
    SELECT a.level, a.area_code, a.period, a.indicator, a.numerator, a.denominator, i.kind, i.multiplier,
           CASE WHEN valid_input(i.kind, a.numerator, a.denominator) THEN a.numerator END AS x,
           CASE WHEN valid_input(i.kind, a.numerator, a.denominator) THEN a.denominator END AS n
    FROM area_indicator a JOIN indicators i USING (indicator)
    WHERE a.area_code IS NOT NULL
), area_indicator_values AS (
    SELECT level, area_code, period, indicator, numerator, denominator,
           indicator_value(kind, x, n, multiplier) AS value,
           lower_limit(kind, x, n, multiplier, z.z_95, e.lower_95) AS lower_95,
           upper_limit(kind, x, n, multiplier, z.z_95, e.upper_95) AS upper_95,
           lower_limit(kind, x, n, multiplier, z.z_998, e.lower_998) AS lower_998,
           upper_limit(kind, x, n, multiplier, z.z_998, e.upper_998) AS upper_998
    FROM inputs CROSS JOIN confidence_z z LEFT JOIN exact_poisson_limits e ON e.events = inputs.x
), pcns AS (
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
