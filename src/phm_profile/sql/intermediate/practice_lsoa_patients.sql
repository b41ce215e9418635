-- practice_lsoa_patients: each practice's registered patients by the LSOA they live in, from the by-LSOA
-- extract population_source chose for each period, with the LSOA edition of each file: the one its marker of
-- patients without an LSOA names (NO2011, NO2021), else the edition of the index whose LSOAs most of its codes are.
CREATE OR REPLACE VIEW practice_lsoa_patients AS
WITH marked AS (
    SELECT source_file, max(CASE lsoa_code WHEN 'NO2021' THEN 2021 WHEN 'NO2011' THEN 2011 END) AS marked
    FROM patients_lsoa GROUP BY source_file
), matched AS (
    SELECT p.source_file, i.lsoa_edition, count(*) AS n
    FROM (SELECT DISTINCT source_file, lsoa_code FROM patients_lsoa) p
    JOIN (SELECT DISTINCT lsoa_edition, lsoa_code FROM imd) i USING (lsoa_code)
    GROUP BY ALL
), editions AS (
    SELECT m.source_file, coalesce(m.marked, (SELECT arg_max(lsoa_edition, n) FROM matched x
                                               WHERE x.source_file = m.source_file), 2011) AS lsoa_edition
    FROM marked m
)
SELECT s.period, r.practice_code, e.lsoa_edition, r.lsoa_code, r.patients
FROM population_source s
JOIN patients_lsoa r ON r.period = s.source_period AND r.extract_date = s.extract_date
JOIN editions e USING (source_file)
WHERE s.dataset = 'patients_lsoa';
