-- pcn_prevalence: every register per PCN and period with ICB and England, and its rank among the PCN's
-- long-term conditions (1 = most prevalent), as the Leeds PCN did. A view: the app reads one PCN at a time.
CREATE OR REPLACE VIEW pcn_prevalence AS
SELECT a.period, a.area_code AS pcn_code, a.group_code, a.register, a.denominator,
       a.register / a.denominator AS prevalence,
       i.register / i.denominator AS icb_prevalence, e.register / e.denominator AS england_prevalence,
       rank() OVER (PARTITION BY a.period, a.area_code ORDER BY a.register / a.denominator DESC) AS ltc_rank
FROM area_prevalence a
JOIN pcn_icb m ON m.period = a.period AND m.pcn_code = a.area_code
LEFT JOIN area_prevalence i ON i.level = 'icb' AND i.area_code = m.icb_code AND i.period = a.period AND i.group_code = a.group_code
LEFT JOIN area_prevalence e ON e.level = 'england' AND e.period = a.period AND e.group_code = a.group_code
WHERE a.level = 'pcn' AND a.denominator > 0;
