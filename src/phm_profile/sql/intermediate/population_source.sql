-- population_source: the registrations (by age and sex; by LSOA) each period of the profile uses: its own
-- year's extract (the month extract_dates chose), else the nearest year's (the later on a tie), which the build
-- reports as a warning: a QOF year and registrations of another year are the normal case.
CREATE OR REPLACE TABLE population_source AS
WITH candidates AS (
    SELECT d.period, x.dataset, x.period AS source_period, x.extract_date,
           year_distance(d.period, x.period) AS distance
    FROM (SELECT DISTINCT period FROM practice_pcn) d
    CROSS JOIN extract_dates x WHERE x.dataset IN ('patients_age_sex', 'patients_lsoa')
)
SELECT period, dataset, arg_min(source_period, distance) AS source_period,
       arg_min(extract_date, distance) AS extract_date
FROM candidates GROUP BY period, dataset;
