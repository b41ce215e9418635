-- practice_lsoa_patients: each practice's registered patients by the LSOA they live in, from the by-LSOA
-- extract population_source chose for each period, with the LSOA edition of its file (patients_lsoa_edition).
CREATE OR REPLACE VIEW practice_lsoa_patients AS
SELECT s.period, r.practice_code, e.lsoa_edition, r.lsoa_code, r.patients
FROM population_source s
JOIN patients_lsoa r ON r.period = s.source_period AND r.extract_date = s.extract_date
JOIN patients_lsoa_edition e USING (source_file)
WHERE s.dataset = 'patients_lsoa';
