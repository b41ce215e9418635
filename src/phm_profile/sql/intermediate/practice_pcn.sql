-- practice_pcn: which PCN, sub-ICB and ICB each practice belongs to in each period the data cover. A period
-- with no mapping of its own uses the nearest mapping year (the later one on a tie). A dated mapping (the
-- registrations' practice map) gives the month extract_dates chose for its year.
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
), mapping_periods AS (SELECT DISTINCT period FROM practice_mapping),
chosen AS (
    SELECT d.period,
           arg_min(m.period, year_distance(d.period, m.period)) AS mapping_period
    FROM data_periods d CROSS JOIN mapping_periods m
    GROUP BY d.period
)
SELECT c.period, m.practice_code, m.practice_name, m.pcn_code, m.pcn_name, m.sub_icb_code, m.sub_icb_ons_code,
       m.sub_icb_name,
       m.icb_code, m.icb_name, m.region_code, m.region_name
FROM chosen c JOIN mapping_files f ON f.period = c.mapping_period
JOIN practice_mapping m ON m.period = f.period AND m.source_file = f.source_file
LEFT JOIN extract_dates x ON x.dataset = 'practice_mapping' AND x.period = m.period
WHERE m.extract_date IS NULL OR m.extract_date = x.extract_date;
