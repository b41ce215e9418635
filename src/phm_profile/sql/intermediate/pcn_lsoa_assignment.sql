-- pcn_lsoa_assignment: each LSOA with a boundary goes to the PCN of the practice registering most of its
-- patients (for the maps; ``practice_code`` that practice, for the maps of your own areas); for a period without registrations by LSOA, to the PCN of the practice nearest
-- the LSOA (lsoa_nearest_practice, from the practices' locations). ``method`` says which. The LSOAs are those of
-- the edition of the index the period uses (deprivation_edition): 2011 LSOAs for IMD 2019, 2021 for IMD 2025; only
-- for the profile's years (the map's).
CREATE OR REPLACE TABLE pcn_lsoa_assignment AS
WITH period_lsoas AS (  -- the years a map is drawn for: those of the profile (with QOF registers)
    SELECT e.period, i.lsoa_edition
    FROM deprivation_edition e JOIN (SELECT DISTINCT edition, lsoa_edition FROM imd) i USING (edition)
    WHERE e.period IN (SELECT DISTINCT period FROM practice_prevalence)
)
SELECT r.period, r.lsoa_code, arg_max(m.pcn_code, r.patients) AS pcn_code, any_value(b.geometry_wkb) AS geometry_wkb,
       'registered patients by LSOA' AS method, arg_max(r.practice_code, r.patients) AS practice_code
FROM practice_lsoa_patients r
JOIN period_lsoas USING (period, lsoa_edition)
JOIN lsoa_boundaries b USING (lsoa_edition, lsoa_code)
JOIN practice_pcn m USING (period, practice_code)
WHERE r.patients > 0 AND m.pcn_code IS NOT NULL
  AND EXISTS (SELECT 1 FROM imd i WHERE i.lsoa_edition = r.lsoa_edition AND i.lsoa_code = r.lsoa_code)
GROUP BY r.period, r.lsoa_code
UNION ALL
SELECT m.period, n.lsoa_code, m.pcn_code, b.geometry_wkb, 'nearest practice' AS method, n.practice_code
FROM lsoa_nearest_practice n
JOIN lsoa_boundaries b USING (lsoa_edition, lsoa_code)
JOIN practice_pcn m ON m.practice_code = n.practice_code
JOIN period_lsoas p ON p.period = m.period AND p.lsoa_edition = n.lsoa_edition
WHERE m.pcn_code IS NOT NULL
  AND m.period NOT IN (SELECT period FROM population_source WHERE dataset = 'patients_lsoa');
