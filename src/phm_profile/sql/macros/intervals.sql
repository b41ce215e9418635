-- Macros for the OHID interval methods (stats.py holds the same formulas for numpy; tests check both
-- against PHEindicatormethods' vectors). z is the normal quantile of the confidence level and the exact
-- Poisson limits of counts below 10 come from the tables confidence_z and exact_poisson_limits, which
-- models.py writes from stats.py before these files run: SQL has no inverse normal or gamma function.

-- Wilson score interval of a proportion x / n, on the scale of 1.
CREATE OR REPLACE MACRO wilson_lower(x, n, z) AS
    (2 * x + z * z - z * sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z));
CREATE OR REPLACE MACRO wilson_upper(x, n, z) AS
    (2 * x + z * z + z * sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z));

-- Byar's approximation to the Poisson limits of a count (no lower limit where it breaks down below 1 event).
CREATE OR REPLACE MACRO byars_lower(x, z) AS
    CASE WHEN x = 0 THEN 0.0
         WHEN 1 - 1 / (9 * x) - z / (3 * sqrt(x)) >= 0 THEN x * pow(1 - 1 / (9 * x) - z / (3 * sqrt(x)), 3) END;
CREATE OR REPLACE MACRO byars_upper(x, z) AS
    (x + 1) * pow(1 - 1 / (9 * (x + 1)) + z / (3 * sqrt(x + 1)), 3);

-- An indicator's value and limits by its kind: proportion (Wilson), rate or ratio (count interval: exact
-- Poisson below 10 events, Byar's from 10, over the denominator), score and count (value only). Inputs a
-- method cannot take (no denominator, a negative count, a proportion above 1) give no value.
CREATE OR REPLACE MACRO valid_input(kind, x, n) AS
    CASE WHEN kind = 'proportion' THEN n > 0 AND x >= 0 AND x <= n
         WHEN kind IN ('rate', 'ratio') THEN n > 0 AND x >= 0
         ELSE true END;
CREATE OR REPLACE MACRO indicator_value(kind, x, n, multiplier) AS
    CASE WHEN kind IN ('proportion', 'rate', 'ratio') THEN x / n * multiplier ELSE x END;
CREATE OR REPLACE MACRO lower_limit(kind, x, n, multiplier, z, exact_lower) AS
    CASE WHEN kind = 'proportion' THEN wilson_lower(x, n, z) * multiplier
         WHEN kind IN ('rate', 'ratio') THEN CASE WHEN x < 10 THEN exact_lower ELSE byars_lower(x, z) END / n * multiplier
    END;
CREATE OR REPLACE MACRO upper_limit(kind, x, n, multiplier, z, exact_upper) AS
    CASE WHEN kind = 'proportion' THEN wilson_upper(x, n, z) * multiplier
         WHEN kind IN ('rate', 'ratio') THEN CASE WHEN x < 10 THEN exact_upper ELSE byars_upper(x, z) END / n * multiplier
    END;

-- The Fingertips comparison of an area's 95% interval with a benchmark value.
CREATE OR REPLACE MACRO compare_with(lower, upper, benchmark) AS
    CASE WHEN lower IS NULL OR upper IS NULL OR benchmark IS NULL OR isnan(lower) OR isnan(upper) OR isnan(benchmark)
              THEN 'not compared'
         WHEN benchmark < lower THEN 'higher'
         WHEN benchmark > upper THEN 'lower'
         ELSE 'similar' END;
