-- area_service_usage: each service measure for PCN, ICB and England. Practice-level rows are summed; a
-- rate's denominator is the registered list (TOTAL) of the practices that reported it; a proportion keeps
-- its own denominator (e.g. referrals, of which rejected). PCN-level rows are used as they are.
CREATE OR REPLACE TABLE area_service_usage AS
WITH practice_rows AS (
    SELECT s.period, s.org_code AS practice_code, s.measure, s.numerator, s.denominator,
           l.list_size, m.pcn_code, m.icb_code, c.kind
    FROM service_usage s
    JOIN service_measures c USING (measure)
    LEFT JOIN practice_list_size l ON l.period = s.period AND l.practice_code = s.org_code AND l.list_type = 'TOTAL'
    LEFT JOIN practice_pcn m ON m.period = s.period AND m.practice_code = s.org_code
    WHERE s.org_type = 'practice' AND s.numerator IS NOT NULL AND (c.kind = 'proportion' OR l.list_size IS NOT NULL)
), summed AS (
    SELECT * FROM (
        SELECT rollup_level(grouping(pcn_code, icb_code)) AS level,
               rollup_code(grouping(pcn_code, icb_code), pcn_code, icb_code) AS area_code,
               period, measure, kind, sum(numerator)::BIGINT AS numerator,
               CASE WHEN kind = 'rate' THEN sum(list_size) ELSE sum(denominator) END::BIGINT AS denominator
        FROM practice_rows
        GROUP BY GROUPING SETS ((period, measure, kind, pcn_code), (period, measure, kind, icb_code),
                               (period, measure, kind), (period, measure, kind, icb_code, pcn_code))
    ) WHERE area_code IS NOT NULL
), pcn_reported AS (
    SELECT 'pcn' AS level, s.org_code AS area_code, s.period, s.measure, c.kind, s.numerator,
           CASE WHEN c.kind = 'rate' THEN l.list_size ELSE s.denominator END AS denominator
    FROM service_usage s JOIN service_measures c USING (measure)
    LEFT JOIN area_list_size l ON l.level = 'pcn' AND l.period = s.period AND l.area_code = s.org_code AND l.list_type = 'TOTAL'
    WHERE s.org_type = 'pcn'
)
SELECT * FROM summed
UNION ALL SELECT * FROM pcn_reported
WHERE NOT EXISTS (SELECT 1 FROM summed x WHERE x.level = 'pcn' AND x.area_code = pcn_reported.area_code
                  AND x.period = pcn_reported.period AND x.measure = pcn_reported.measure);
