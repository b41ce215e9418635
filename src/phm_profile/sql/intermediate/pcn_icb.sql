-- pcn_icb: the one ICB each PCN is shown under in each period. A PCN whose practices sit in two ICBs (real
-- 2022-23: U41591, U62501) goes to the ICB holding most of its registered list (its practices' TOTAL lists, else
-- their registered patients, else the most practices; the lower code on a tie); ``icbs`` lists every ICB its
-- practices are in, and the build warns. Each practice still counts in its own ICB's figures.
CREATE OR REPLACE TABLE pcn_icb AS
WITH sizes AS (
    SELECT m.period, m.pcn_code, m.icb_code,
           coalesce(sum(l.list_size), sum(p.patients), 0) AS patients, count(DISTINCT m.practice_code) AS practices
    FROM practice_pcn m
    LEFT JOIN practice_list_size l ON l.period = m.period AND l.practice_code = m.practice_code AND l.list_type = 'TOTAL'
    LEFT JOIN (SELECT period, practice_code, sum(patients) AS patients FROM practice_population GROUP BY ALL) p
           ON p.period = m.period AND p.practice_code = m.practice_code
    WHERE m.pcn_code IS NOT NULL
    GROUP BY ALL
)
SELECT period, pcn_code,
       arg_max(icb_code, (patients, practices, -ascii(coalesce(icb_code, '~')))) AS icb_code,
       list(icb_code ORDER BY patients DESC, practices DESC, icb_code) FILTER (WHERE icb_code IS NOT NULL) AS icbs,
       list(patients ORDER BY patients DESC, practices DESC, icb_code) FILTER (WHERE icb_code IS NOT NULL)
           AS icb_patients,
       list(practices ORDER BY patients DESC, practices DESC, icb_code) FILTER (WHERE icb_code IS NOT NULL)
           AS icb_practices
FROM sizes GROUP BY period, pcn_code;
