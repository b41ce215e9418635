-- Registered patients by sex and five-year age band: practice_population per practice (a view),
-- area_population summed to PCN, ICB and England in one pass, pcn_population its PCN rows.
-- practice_list_size / area_list_size / pcn_list_size: the QOF list types (TOTAL, 18OV, ...) each register is
-- a share of, per practice and summed the same way.
-- Every roll-up in these models groups the practices by GROUPING SETS (rollup_level, 00_statistics.sql).
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

CREATE OR REPLACE TABLE practice_population AS
SELECT s.period, p.practice_code, p.sex, p.age_band, sum(p.patients)::BIGINT AS patients
FROM population_source s
JOIN patients_age_sex p ON p.period = s.source_period AND p.extract_date = s.extract_date
WHERE s.dataset = 'patients_age_sex'
GROUP BY ALL;

CREATE OR REPLACE TABLE area_population AS
SELECT * FROM (
    SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
           rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
           period, sex, age_band, sum(patients)::BIGINT AS patients
    FROM practice_population LEFT JOIN practice_pcn m USING (period, practice_code)
    GROUP BY GROUPING SETS ((period, sex, age_band, m.pcn_code), (period, sex, age_band, m.icb_code),
                           (period, sex, age_band))
) WHERE area_code IS NOT NULL;

CREATE OR REPLACE VIEW pcn_population AS
SELECT period, area_code AS pcn_code, sex, age_band, patients FROM area_population WHERE level = 'pcn';

-- The QOF raw data publish each list with the registers (PREVALENCE_YYYY's list-size column); a separate list
-- file (qof_list_size) gives the list types no register uses (65OV) and wins where both give one.
CREATE OR REPLACE VIEW practice_list_size AS
SELECT period, practice_code, list_type, list_size FROM qof_list_size WHERE list_size IS NOT NULL
UNION ALL
SELECT period, practice_code, list_type, max(list_size) FROM qof_prevalence p
WHERE list_size IS NOT NULL AND list_type IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM qof_list_size l WHERE l.period = p.period AND l.practice_code = p.practice_code
                  AND l.list_type = p.list_type)
GROUP BY ALL;

CREATE OR REPLACE TABLE area_list_size AS
SELECT * FROM (
    SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
           rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
           period, list_type, sum(list_size)::BIGINT AS list_size, count(*) AS practices
    FROM practice_list_size LEFT JOIN practice_pcn m USING (period, practice_code)
    GROUP BY GROUPING SETS ((period, list_type, m.pcn_code), (period, list_type, m.icb_code), (period, list_type))
) WHERE area_code IS NOT NULL;

CREATE OR REPLACE VIEW pcn_list_size AS
SELECT period, area_code AS pcn_code, list_type, list_size, practices FROM area_list_size WHERE level = 'pcn';
