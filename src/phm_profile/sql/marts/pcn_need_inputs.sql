-- pcn_need_inputs: what the workforce need model reads for every PCN (workforce.NEED_INPUTS): registers,
-- expected common mental disorders, service signals, under-18s (a 15-19 band counts three fifths) and deprivation.
CREATE OR REPLACE TABLE pcn_need_inputs AS
WITH young AS (
    SELECT period, pcn_code,
           sum(CASE WHEN age_band = '15_19' THEN patients * 3 / 5 ELSE patients END) AS under_18
    FROM pcn_population WHERE age_band IN ('0_4', '5_9', '10_14', '15_19') GROUP BY ALL
)
SELECT p.icb_code, p.period, p.pcn_code, any_value(p.pcn_name) AS pcn_name,
       max(numerator) FILTER (WHERE indicator = 'list_size') AS list_size,
       max(numerator) FILTER (WHERE indicator = 'prev_mh') AS smi_register,
       max(numerator) FILTER (WHERE indicator = 'prev_dep') AS depression_register,
       max(denominator) FILTER (WHERE indicator = 'cmd_recorded_vs_expected') AS expected_cmd,
       max(numerator) FILTER (WHERE indicator = 'svc_cmht_referrals_rejected') AS cmht_rejected,
       max(numerator) FILTER (WHERE indicator = 'svc_tt_wait_over_6_weeks') AS tt_long_waits,
       any_value(y.under_18) AS under_18,
       max(value) FILTER (WHERE indicator = 'imd_score') AS imd_score,
       max(england_value) FILTER (WHERE indicator = 'imd_score') AS england_imd_score
FROM pcn_profile p LEFT JOIN young y USING (period, pcn_code)
GROUP BY p.icb_code, p.period, p.pcn_code;
