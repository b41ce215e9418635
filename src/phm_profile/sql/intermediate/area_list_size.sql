-- area_list_size: the QOF list types (TOTAL, 18OV, ...) each register is a share of, summed to PCN, ICB and
-- England as area_population is.
CREATE OR REPLACE TABLE area_list_size AS
SELECT * FROM (
    SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
           rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
           period, list_type, sum(list_size)::BIGINT AS list_size, count(*) AS practices
    FROM practice_list_size LEFT JOIN practice_pcn m USING (period, practice_code)
    GROUP BY GROUPING SETS ((period, list_type, m.pcn_code), (period, list_type, m.icb_code), (period, list_type),
                           (period, list_type, m.icb_code, m.pcn_code))
) WHERE area_code IS NOT NULL;
