-- area_population: registered patients by sex and five-year age band summed to PCN, ICB and England in one
-- pass (GROUPING SETS; rollup_level in macros/areas.sql).
CREATE OR REPLACE TABLE area_population AS
SELECT * FROM (
    SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
           rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
           period, sex, age_band, sum(patients)::BIGINT AS patients
    FROM practice_population LEFT JOIN practice_pcn m USING (period, practice_code)
    GROUP BY GROUPING SETS ((period, sex, age_band, m.pcn_code), (period, sex, age_band, m.icb_code),
                           (period, sex, age_band), (period, sex, age_band, m.icb_code, m.pcn_code))
) WHERE area_code IS NOT NULL;
