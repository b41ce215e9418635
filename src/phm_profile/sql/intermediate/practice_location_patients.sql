-- Without practice-by-LSOA registrations for a period, each practice's patients are placed in the LSOA of the
-- practice itself (its location within the LSOA boundaries of each edition loaded, practice_lsoa), weighted by its
-- registered patients (else its TOTAL list): a coarser measure, named in ``method`` and on screen.
CREATE OR REPLACE VIEW practice_location_patients AS
SELECT d.period, l.practice_code, l.lsoa_edition, l.lsoa_code, coalesce(p.patients, t.list_size) AS patients
FROM (SELECT DISTINCT period FROM practice_pcn
      WHERE period NOT IN (SELECT period FROM population_source WHERE dataset = 'patients_lsoa')) d
JOIN practice_lsoa l ON TRUE
LEFT JOIN (SELECT period, practice_code, sum(patients) AS patients FROM practice_population GROUP BY ALL) p
       ON p.period = d.period AND p.practice_code = l.practice_code
LEFT JOIN practice_list_size t ON t.period = d.period AND t.practice_code = l.practice_code AND t.list_type = 'TOTAL'
WHERE coalesce(p.patients, t.list_size) > 0;
