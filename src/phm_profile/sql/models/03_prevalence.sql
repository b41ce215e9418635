-- practice_prevalence (a view): each register with its denominator, the list of the register's list type
-- (DEP: 18+). area_prevalence: the same summed to PCN, ICB and England; a practice counts in both numerator
-- and denominator or in neither. Prevalence = sum(register) / sum(list); practice rates are never averaged.
CREATE OR REPLACE VIEW practice_prevalence AS
SELECT period, practice_code, group_code, list_type, register, denominator
FROM qof_register_denominator
WHERE register IS NOT NULL AND denominator IS NOT NULL;

CREATE OR REPLACE TABLE area_prevalence AS
SELECT * FROM (
    SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
           rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
           period, group_code, sum(register)::BIGINT AS register, sum(denominator)::BIGINT AS denominator
    FROM practice_prevalence LEFT JOIN practice_pcn m USING (period, practice_code)
    GROUP BY GROUPING SETS ((period, group_code, m.pcn_code), (period, group_code, m.icb_code), (period, group_code))
) WHERE area_code IS NOT NULL;

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
