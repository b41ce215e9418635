-- patients_lsoa_edition: the LSOA edition (2011 or 2021) of each registrations-by-LSOA file: the one its marker of
-- patients without an LSOA names (NO2011, NO2021), else the edition of the index loaded whose LSOAs most of its
-- codes are (2011 on a tie, and without any index), said in a build warning (rules.BUILT) with how many matched.
CREATE OR REPLACE TABLE patients_lsoa_edition AS
WITH marked AS (
    SELECT source_file, max(CASE lsoa_code WHEN 'NO2021' THEN 2021 WHEN 'NO2011' THEN 2011 END) AS marked,
           count(DISTINCT lsoa_code) AS codes
    FROM patients_lsoa GROUP BY source_file
), matched AS (
    SELECT p.source_file, i.lsoa_edition, count(*) AS n
    FROM (SELECT DISTINCT source_file, lsoa_code FROM patients_lsoa) p
    JOIN (SELECT DISTINCT lsoa_edition, lsoa_code FROM imd) i USING (lsoa_code)
    GROUP BY ALL
)
SELECT m.source_file, m.marked IS NOT NULL AS marked, m.codes,
       coalesce(m.marked, (SELECT arg_max(lsoa_edition, (n, -lsoa_edition)) FROM matched x
                           WHERE x.source_file = m.source_file), 2011) AS lsoa_edition,
       (SELECT max(n) FROM matched x WHERE x.source_file = m.source_file) AS matched_codes
FROM marked m;
