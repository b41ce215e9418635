-- practice_population: registered patients by practice, sex and five-year age band, from the extract
-- population_source chose for each period.
CREATE OR REPLACE TABLE practice_population AS
SELECT s.period, p.practice_code, p.sex, p.age_band, sum(p.patients)::BIGINT AS patients
FROM population_source s
JOIN patients_age_sex p ON p.period = s.source_period AND p.extract_date = s.extract_date
WHERE s.dataset = 'patients_age_sex'
GROUP BY ALL;
