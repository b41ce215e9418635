-- practice_population / pcn_population: registered patients by sex and five-year age band.
-- practice_list_size / pcn_list_size: the QOF list types (TOTAL, 18OV, ...) each register is a share of.
CREATE OR REPLACE TABLE practice_population AS
SELECT period, practice_code, sex, age_band, sum(patients)::BIGINT AS patients
FROM patients_age_sex GROUP BY ALL;

CREATE OR REPLACE TABLE pcn_population AS
SELECT p.period, m.pcn_code, p.sex, p.age_band, sum(p.patients)::BIGINT AS patients
FROM practice_population p JOIN practice_pcn m USING (period, practice_code)
WHERE m.pcn_code IS NOT NULL GROUP BY ALL;

CREATE OR REPLACE TABLE practice_list_size AS
SELECT period, practice_code, list_type, list_size FROM qof_list_size WHERE list_size IS NOT NULL;

CREATE OR REPLACE TABLE pcn_list_size AS
SELECT l.period, m.pcn_code, l.list_type, sum(l.list_size)::BIGINT AS list_size, count(*) AS practices
FROM practice_list_size l JOIN practice_pcn m USING (period, practice_code)
WHERE m.pcn_code IS NOT NULL GROUP BY ALL;
