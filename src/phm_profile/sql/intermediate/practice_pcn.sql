-- practice_pcn: which PCN, sub-ICB and ICB each practice belongs to in each period the data cover, on TODAY'S
-- geography (as Fingertips recalculates past years on current boundaries), so that a trend is one population's.
-- "Today" is the latest mapping loaded: of each year's mappings the one MAPPING_PRECEDENCE picks (below), of
-- those the latest year's. Every period's practices (those with data or a mapping that year) take today's ICB,
-- sub-ICB and region, and today's PCN where that PCN existed in the year (it is in the year's own mapping: a PCN
-- that did not exist shows no value, not zero). A practice missing from today's mapping (closed, merged) counts in
-- England and in today's ICB of its last known sub-ICB location, or in England only where that sub-ICB no longer
-- exists (rules.BUILT says how many). A year's own mapping is its own, else the nearest year's (the later on a
-- tie); a dated mapping (the registrations' practice map) gives the month extract_dates chose for its year.
-- own_pcn_code, own_sub_icb_code and own_icb_code keep the year's own mapping (the publisher's totals of a month
-- are checked against it: rules.BUILT).
CREATE OR REPLACE TABLE practice_pcn AS
WITH data_periods AS (
    SELECT period FROM qof_prevalence UNION SELECT period FROM qof_list_size
    UNION SELECT period FROM patients_age_sex UNION SELECT period FROM patients_lsoa
    UNION SELECT period FROM service_usage UNION SELECT period FROM practice_mapping
), ranked AS (
    -- MAPPING_PRECEDENCE: where several mappings cover one year, the QOF mapping (the registers were published
    -- against it, and it has ICB codes), then the registrations' practice map, then ePCN (no ICB codes).
    -- Of a dated mapping, only the month extract_dates chose counts (two months of one year may be two files).
    SELECT m.period, m.source_file,
           min(CASE m.mapping_source WHEN 'QOF mapping' THEN 1 WHEN 'registrations map' THEN 2 ELSE 3 END) AS rank
    FROM practice_mapping m
    LEFT JOIN extract_dates x ON x.dataset = 'practice_mapping' AND x.period = m.period
    WHERE m.extract_date IS NULL OR m.extract_date = x.extract_date
    GROUP BY ALL
), mapping_files AS (
    SELECT period, arg_min(source_file, rank) AS source_file FROM ranked GROUP BY period
), own AS (  -- each year's own mapping (one file per year)
    SELECT m.* FROM mapping_files f
    JOIN practice_mapping m ON m.period = f.period AND m.source_file = f.source_file
    LEFT JOIN extract_dates x ON x.dataset = 'practice_mapping' AND x.period = m.period
    WHERE m.extract_date IS NULL OR m.extract_date = x.extract_date
), today AS (
    SELECT * FROM own WHERE period = (SELECT max(period) FROM mapping_files)
), today_sub_icb AS (  -- today's ICB of each sub-ICB location (the ICB most of its practices are in): from
    -- today's mapping, else (today's is ePCN, which has no ICB codes) from the latest mapping that gives one
    SELECT sub_icb_code, arg_max(icb_code, (today, period, n)) AS icb_code, arg_max(icb_name, (today, period, n)) AS icb_name,
           arg_max(region_code, (today, period, n)) AS region_code, arg_max(region_name, (today, period, n)) AS region_name
    FROM (SELECT sub_icb_code, icb_code, any_value(icb_name) AS icb_name, any_value(region_code) AS region_code,
                 any_value(region_name) AS region_name, period,
                 period = (SELECT max(period) FROM mapping_files) AS today, count(*) AS n
          FROM own WHERE sub_icb_code IS NOT NULL AND icb_code IS NOT NULL GROUP BY sub_icb_code, icb_code, period)
    WHERE today OR NOT EXISTS (SELECT 1 FROM today WHERE icb_code IS NOT NULL)
    GROUP BY sub_icb_code
), last_known AS (  -- a practice's latest mapping row of any year
    SELECT practice_code, arg_max(practice_name, period) AS practice_name,
           arg_max(sub_icb_code, period) AS sub_icb_code
    FROM own GROUP BY practice_code
), chosen AS (
    SELECT d.period, arg_min(m.period, year_distance(d.period, m.period)) AS mapping_period
    FROM data_periods d CROSS JOIN (SELECT DISTINCT period FROM mapping_files) m
    GROUP BY d.period
), period_practices AS (
    SELECT period, practice_code FROM qof_prevalence UNION SELECT period, practice_code FROM qof_list_size
    UNION SELECT period, practice_code FROM patients_age_sex UNION SELECT period, practice_code FROM patients_lsoa
    UNION SELECT c.period, o.practice_code FROM chosen c JOIN own o ON o.period = c.mapping_period
), year_pcns AS (
    SELECT DISTINCT c.period, o.pcn_code FROM chosen c JOIN own o ON o.period = c.mapping_period
    WHERE o.pcn_code IS NOT NULL
)
SELECT p.period, p.practice_code, coalesce(t.practice_name, k.practice_name) AS practice_name,
       CASE WHEN y.pcn_code IS NOT NULL THEN t.pcn_code END AS pcn_code,
       CASE WHEN y.pcn_code IS NOT NULL THEN t.pcn_name END AS pcn_name,
       coalesce(t.sub_icb_code, CASE WHEN s.icb_code IS NOT NULL THEN k.sub_icb_code END) AS sub_icb_code,
       t.sub_icb_ons_code, t.sub_icb_name,
       coalesce(t.icb_code, s.icb_code) AS icb_code, coalesce(t.icb_name, s.icb_name) AS icb_name,
       coalesce(t.region_code, s.region_code) AS region_code, coalesce(t.region_name, s.region_name) AS region_name,
       t.practice_code IS NULL AS not_mapped_today,
       y_own.pcn_code AS own_pcn_code, y_own.sub_icb_code AS own_sub_icb_code, y_own.icb_code AS own_icb_code,
       y_own.region_code AS own_region_code
FROM period_practices p
JOIN chosen c USING (period)
LEFT JOIN today t USING (practice_code)
LEFT JOIN year_pcns y ON y.period = p.period AND y.pcn_code = t.pcn_code
LEFT JOIN last_known k ON t.practice_code IS NULL AND k.practice_code = p.practice_code
LEFT JOIN today_sub_icb s ON s.sub_icb_code = coalesce(t.sub_icb_code, k.sub_icb_code)
LEFT JOIN own y_own ON y_own.period = c.mapping_period AND y_own.practice_code = p.practice_code
WHERE p.practice_code IS NOT NULL;
