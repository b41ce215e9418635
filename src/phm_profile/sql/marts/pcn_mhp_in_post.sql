-- pcn_mhp_in_post: one row per edition and PCN that made a return (had any row): its MHPs in post (FTE by role
-- and employment, and the headcount of the MHPs it employs: distinct UNIQUE_IDENTIFIER; contracted staff have
-- none), the FTE of the same roles without the MHP tag (other_mh_fte: link workers, wellbeing practitioners outside
-- the scheme) and of its whole team. MHP figures are NULL in an edition that counts no MHPs; a PCN absent from
-- an edition has no row ("no return"). Each edition keeps its own PCN codes and names.
CREATE OR REPLACE TABLE pcn_mhp_in_post AS
WITH stems AS (SELECT DISTINCT lower(role_stem) AS stem FROM pcn_workforce WHERE is_mhp)
SELECT w.census, w.pcn_code, arg_max(w.pcn_name, w.source_row) AS pcn_name,
       arg_max(w.icb_code, w.source_row) AS icb_code, arg_max(w.icb_name, w.source_row) AS icb_name,
       CASE WHEN any_value(e.counts_mhps) THEN coalesce(sum(w.fte) FILTER (WHERE w.is_mhp), 0) END AS mhp_fte,
       CASE WHEN any_value(e.counts_mhps) THEN coalesce(sum(w.fte) FILTER (WHERE w.mhp_role = 'adult'), 0) END
           AS mhp_fte_adult,
       CASE WHEN any_value(e.counts_mhps) THEN coalesce(sum(w.fte) FILTER (WHERE w.mhp_role = 'cyp'), 0) END
           AS mhp_fte_cyp,
       CASE WHEN any_value(e.counts_mhps)
            THEN coalesce(sum(w.fte) FILTER (WHERE w.is_mhp AND w.employment = 'employed'), 0) END AS mhp_fte_employed,
       CASE WHEN any_value(e.counts_mhps)
            THEN coalesce(sum(w.fte) FILTER (WHERE w.is_mhp AND w.employment = 'contracted'), 0) END
           AS mhp_fte_contracted,
       CASE WHEN any_value(e.counts_mhps)
            THEN count(DISTINCT w.person_id) FILTER (WHERE w.is_mhp AND w.employment = 'employed') END
           AS mhp_headcount,
       CASE WHEN any_value(e.counts_mhps) THEN count(*) FILTER (WHERE w.is_mhp) END AS mhp_rows,
       coalesce(sum(w.fte) FILTER (WHERE NOT w.is_mhp AND lower(w.role_stem) IN (SELECT stem FROM stems)), 0)
           AS other_mh_fte,
       sum(w.fte) AS team_fte, count(*) AS rows
FROM pcn_workforce w JOIN workforce_editions e USING (census)
GROUP BY w.census, w.pcn_code;
