-- area_indicator_values: every row of area_indicator (PCNs, ICBs, England, practices) with its value and its 95%
-- and 99.8% intervals by the OHID method of its kind (macros/intervals.sql): one computation for every level,
-- read by marts/pcn_profile.sql and marts/practice_profile.sql.
CREATE OR REPLACE TABLE area_indicator_values AS
WITH inputs AS (
    SELECT a.level, a.area_code, a.period, a.indicator, a.numerator, a.denominator, i.kind, i.multiplier,
           CASE WHEN valid_input(i.kind, a.numerator, a.denominator) THEN a.numerator END AS x,
           CASE WHEN valid_input(i.kind, a.numerator, a.denominator) THEN a.denominator END AS n
    FROM area_indicator a JOIN indicators i USING (indicator)
    WHERE a.area_code IS NOT NULL
)
SELECT level, area_code, period, indicator, numerator, denominator,
       indicator_value(kind, x, n, multiplier) AS value,
       lower_limit(kind, x, n, multiplier, z.z_95, e.lower_95) AS lower_95,
       upper_limit(kind, x, n, multiplier, z.z_95, e.upper_95) AS upper_95,
       lower_limit(kind, x, n, multiplier, z.z_998, e.lower_998) AS lower_998,
       upper_limit(kind, x, n, multiplier, z.z_998, e.upper_998) AS upper_998
FROM inputs CROSS JOIN confidence_z z LEFT JOIN exact_poisson_limits e ON e.events = inputs.x;
