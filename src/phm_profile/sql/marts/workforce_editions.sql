-- workforce_editions: every PCN Workforce edition loaded (one census month each), whether it counts MHPs at all
-- (the publisher tagged no MHP role in its early editions: such an edition says "not counted", never "0 MHPs").
CREATE OR REPLACE TABLE workforce_editions AS
SELECT census, strftime(census, '%Y-%m') AS label, any_value(period) AS period, count(*) AS rows,
       count(DISTINCT pcn_code) AS pcns, bool_or(is_mhp) AS counts_mhps, count(*) FILTER (WHERE is_mhp) AS mhp_rows,
       any_value(source_file) AS source_file
FROM pcn_workforce GROUP BY census;
