-- practice_lsoa_patients: each practice's registered patients by the LSOA they live in, from the by-LSOA
-- extract population_source chose for each period.
CREATE OR REPLACE VIEW practice_lsoa_patients AS
SELECT s.period, r.practice_code, r.lsoa_code, r.patients
FROM population_source s
JOIN patients_lsoa r ON r.period = s.source_period AND r.extract_date = s.extract_date
WHERE s.dataset = 'patients_lsoa';
