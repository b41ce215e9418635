-- area_prevalence: practice_prevalence summed to PCN, ICB and England; a practice counts in both numerator
-- and denominator or in neither. Prevalence = sum(register) / sum(list); practice rates are never averaged.
CREATE OR REPLACE TABLE area_prevalence AS
SELECT * FROM (
    SELECT rollup_level(grouping(m.pcn_code, m.icb_code)) AS level,
           rollup_code(grouping(m.pcn_code, m.icb_code), m.pcn_code, m.icb_code) AS area_code,
           period, group_code, sum(register)::BIGINT AS register, sum(denominator)::BIGINT AS denominator
    FROM practice_prevalence LEFT JOIN practice_pcn m USING (period, practice_code)
    GROUP BY GROUPING SETS ((period, group_code, m.pcn_code), (period, group_code, m.icb_code), (period, group_code),
                           (period, group_code, m.icb_code, m.pcn_code))
) WHERE area_code IS NOT NULL;
