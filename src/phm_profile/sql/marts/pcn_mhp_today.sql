-- pcn_mhp_today: pcn_mhp_in_post on today's PCNs (workforce_pcn_match), as every other figure is: a PCN renamed
-- or merged since an edition counts its predecessors' staff in that edition (published_codes names them); a PCN
-- that moved ICB is one PCN throughout. Codes split or closed since, or in no mapping, stay out (pcn_mhp_in_post
-- keeps them under their codes). The headcount is of distinct people across the codes summed.
CREATE OR REPLACE TABLE pcn_mhp_today AS
WITH heads AS (
    SELECT w.census, m.today_pcn_code AS pcn_code,
           count(DISTINCT w.person_id) FILTER (WHERE w.is_mhp AND w.employment = 'employed') AS mhp_headcount
    FROM pcn_workforce w JOIN workforce_pcn_match m USING (census, pcn_code)
    WHERE m.today_pcn_code IS NOT NULL GROUP BY ALL
)
SELECT p.census, m.today_pcn_code AS pcn_code, sum(p.mhp_fte) AS mhp_fte, sum(p.mhp_fte_adult) AS mhp_fte_adult,
       sum(p.mhp_fte_cyp) AS mhp_fte_cyp, sum(p.mhp_fte_employed) AS mhp_fte_employed,
       sum(p.mhp_fte_contracted) AS mhp_fte_contracted,
       CASE WHEN bool_and(p.mhp_fte IS NOT NULL) THEN any_value(h.mhp_headcount) END AS mhp_headcount,
       sum(p.mhp_rows) AS mhp_rows, sum(p.other_mh_fte) AS other_mh_fte, sum(p.team_fte) AS team_fte,
       sum(p.rows) AS rows, list(p.pcn_code ORDER BY p.pcn_code) AS published_codes,
       list(p.pcn_code ORDER BY p.pcn_code) FILTER (WHERE p.pcn_code <> m.today_pcn_code) AS predecessors
FROM pcn_mhp_in_post p JOIN workforce_pcn_match m USING (census, pcn_code)
LEFT JOIN heads h ON h.census = p.census AND h.pcn_code = m.today_pcn_code
WHERE m.today_pcn_code IS NOT NULL
GROUP BY p.census, m.today_pcn_code;
