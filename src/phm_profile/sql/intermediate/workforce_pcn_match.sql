-- workforce_pcn_match: each PCN code of each PCN Workforce edition, as published, matched to today's PCN (the
-- geography of every other figure: practice_pcn), through the practices the code had in the mapping nearest the
-- edition's year: 'same code' (today's PCN has the code: a PCN that moved ICB keeps its code and shows under today's
-- ICB); 'renamed or merged' (a code of the past whose practices are all in one PCN today: its staff count there);
-- 'split' (its practices are in several PCNs today: staff cannot be shared out, so they stay under the published
-- code, with today's PCNs named); 'closed' (its practices are in no PCN today); 'in no mapping' (no mapping loaded
-- has the code). today_pcn_code is set for the first two only.
CREATE OR REPLACE TABLE workforce_pcn_match AS
WITH codes AS (SELECT DISTINCT census, period, pcn_code FROM pcn_workforce),
today_code AS (SELECT practice_code, any_value(pcn_code) AS pcn_code FROM practice_pcn WHERE pcn_code IS NOT NULL
               GROUP BY practice_code),
today_pcns AS (SELECT DISTINCT pcn_code FROM today_code),
nearest AS (  -- the mapping year nearest the edition's in which the code has practices (the later on a tie)
    SELECT c.census, c.pcn_code, arg_min(m.period, year_distance(c.period, m.period)) AS mapping_period
    FROM codes c JOIN (SELECT DISTINCT period, own_pcn_code FROM practice_pcn) m ON m.own_pcn_code = c.pcn_code
    GROUP BY ALL
), successors AS (
    SELECT n.census, n.pcn_code, count(DISTINCT p.practice_code) AS practices,
           list(DISTINCT t.pcn_code ORDER BY t.pcn_code) FILTER (WHERE t.pcn_code IS NOT NULL) AS today_pcns
    FROM nearest n JOIN practice_pcn p ON p.period = n.mapping_period AND p.own_pcn_code = n.pcn_code
    LEFT JOIN today_code t ON t.practice_code = p.practice_code
    GROUP BY ALL
)
SELECT c.census, c.pcn_code,
       CASE WHEN c.pcn_code IN (SELECT pcn_code FROM today_pcns) THEN c.pcn_code
            WHEN len(s.today_pcns) = 1 THEN s.today_pcns[1] END AS today_pcn_code,
       CASE WHEN c.pcn_code IN (SELECT pcn_code FROM today_pcns) THEN 'same code'
            WHEN s.pcn_code IS NULL THEN 'in no mapping'
            WHEN len(s.today_pcns) = 1 THEN 'renamed or merged'
            WHEN coalesce(len(s.today_pcns), 0) = 0 THEN 'closed' ELSE 'split' END AS match,
       coalesce(s.today_pcns, []) AS today_pcns, s.practices
FROM codes c LEFT JOIN successors s USING (census, pcn_code);
