-- practice_pcn: which PCN, sub-ICB and ICB each practice belongs to in each period the data cover. A period
-- with no mapping of its own uses the nearest mapping year (the later one on a tie). A dated mapping (the
-- registrations' practice map) gives the month extract_dates chose for its year.
CREATE OR REPLACE TABLE practice_pcn AS
WITH data_periods AS (
    SELECT period FROM qof_prevalence UNION SELECT period FROM qof_list_size
    UNION SELECT period FROM patients_age_sex UNION SELECT period FROM patients_lsoa
    UNION SELECT period FROM service_usage UNION SELECT period FROM practice_mapping
), mapping_periods AS (SELECT DISTINCT period FROM practice_mapping),
chosen AS (
    SELECT d.period,
           arg_min(m.period, abs(left(d.period, 4)::INT - left(m.period, 4)::INT) * 2
                             - (left(m.period, 4) > left(d.period, 4))::INT) AS mapping_period
    FROM data_periods d CROSS JOIN mapping_periods m
    GROUP BY d.period
)
SELECT c.period, m.practice_code, m.practice_name, m.pcn_code, m.pcn_name, m.sub_icb_code, m.sub_icb_name,
       m.icb_code, m.icb_name, m.region_code, m.region_name
FROM chosen c JOIN practice_mapping m ON m.period = c.mapping_period
LEFT JOIN extract_dates x ON x.dataset = 'practice_mapping' AND x.period = m.period
WHERE m.extract_date IS NULL OR m.extract_date = x.extract_date;
