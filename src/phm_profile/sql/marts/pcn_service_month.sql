-- pcn_service_month: the referral records' monthly counts (service_month) summed to each practice's PCN of that
-- financial year, with the PCN's registered patients that year (its practices' QOF TOTAL lists, those with records):
-- the monthly series before and after a PCN's MHPs started (impact.py). Practices in no PCN are left out.
CREATE OR REPLACE TABLE pcn_service_month AS
SELECT m.pcn_code, any_value(i.icb_code) AS icb_code, s.month, sum(l.list_size)::DOUBLE AS patients,
       sum(s.cmht_referrals)::DOUBLE AS cmht_referrals, sum(s.cmht_rejected)::DOUBLE AS cmht_rejected,
       sum(s.tt_with_wait)::DOUBLE AS tt_with_wait, sum(s.tt_long_wait)::DOUBLE AS tt_long_wait,
       sum(s.mhp_contacts)::DOUBLE AS mhp_contacts
FROM service_month s
JOIN practice_pcn m ON m.practice_code = s.practice_code AND m.period = financial_year(s.month)
JOIN practice_list_size l ON l.practice_code = s.practice_code AND l.period = m.period AND l.list_type = 'TOTAL'
LEFT JOIN pcn_icb i ON i.period = m.period AND i.pcn_code = m.pcn_code
WHERE m.pcn_code IS NOT NULL AND m.pcn_code <> 'U'
GROUP BY m.pcn_code, s.month;
