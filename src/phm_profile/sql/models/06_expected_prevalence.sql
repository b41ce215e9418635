-- area_expected: expected cases of common mental disorders (CMD) and psychosis (SMI) from the editable
-- expected-rate table (data/expected_prevalence.csv, APMS 2014 by age and sex) applied to each practice's
-- registered population, summed to PCN, ICB and England. A five-year band counts where it overlaps the
-- table's age range.
CREATE OR REPLACE TABLE area_expected AS
WITH bands AS (
    SELECT period, practice_code, sex, patients,
           CASE WHEN age_band LIKE '%+' THEN replace(age_band, '+', '')::INT
                ELSE split_part(age_band, '_', 1)::INT END AS age_lower
    FROM practice_population
), expected AS (
    SELECT b.period, b.practice_code, e.condition, sum(b.patients * e.expected_rate) AS expected
    FROM bands b JOIN expected_prevalence e
      ON upper(e.sex) = b.sex AND b.age_lower + 4 >= e.age_from AND b.age_lower <= e.age_to
    GROUP BY ALL
), joined AS (
    SELECT x.*, m.pcn_code, m.icb_code FROM expected x LEFT JOIN practice_pcn m USING (period, practice_code)
)
SELECT 'pcn' AS level, pcn_code AS area_code, period, condition, sum(expected) AS expected
FROM joined WHERE pcn_code IS NOT NULL GROUP BY ALL
UNION ALL SELECT 'icb', icb_code, period, condition, sum(expected) FROM joined WHERE icb_code IS NOT NULL GROUP BY ALL
UNION ALL SELECT 'england', 'ENGLAND', period, condition, sum(expected) FROM joined GROUP BY ALL;
