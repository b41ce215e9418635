-- area_expected: expected cases of common mental disorders (CMD) and psychosis (SMI) from the editable
-- expected-rate table (data/expected_prevalence.csv, APMS 2014 by age and sex) applied to the registered
-- population of each PCN, ICB and England by sex and five-year band. A band counts where it overlaps the
-- table's age range.
CREATE OR REPLACE TABLE area_expected AS
WITH bands AS (
    SELECT DISTINCT sex, age_band, age_band_lower(age_band) AS age_lower FROM area_population
), band_rates AS (
    SELECT b.sex, b.age_band, e.condition, sum(e.expected_rate) AS expected_rate
    FROM bands b JOIN expected_prevalence e
      ON upper(e.sex) = b.sex AND b.age_lower + 4 >= e.age_from AND b.age_lower <= e.age_to
    GROUP BY ALL
)
SELECT a.level, a.area_code, a.period, r.condition, sum(a.patients * r.expected_rate) AS expected
FROM area_population a JOIN band_rates r USING (sex, age_band)
GROUP BY ALL;
