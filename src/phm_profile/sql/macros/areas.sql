-- The level and code of a row of a roll-up by GROUPING SETS ((..., pcn_code), (..., icb_code), (...),
-- (..., icb_code, pcn_code)): grouping(pcn_code, icb_code) is 1 for the PCN rows, 2 for the ICB rows, 3 for England
-- and 0 for the last set, whose rows without a PCN are each ICB's practices in no PCN (level 'no_pcn', code the ICB,
-- '(none)' without one): the released ICB and England values pool them beside the PCNs (release.py). Other rows
-- without a code (the PCN row of no PCN; a PCN within an ICB) are dropped.
CREATE OR REPLACE MACRO rollup_level(g) AS
    CASE g WHEN 0 THEN 'no_pcn' WHEN 1 THEN 'pcn' WHEN 2 THEN 'icb' ELSE 'england' END;
CREATE OR REPLACE MACRO rollup_code(g, pcn_code, icb_code) AS
    CASE g WHEN 0 THEN CASE WHEN pcn_code IS NULL THEN coalesce(icb_code, '(none)') END
           WHEN 1 THEN pcn_code WHEN 2 THEN icb_code ELSE 'ENGLAND' END;

-- How far ``other``'s financial year is from ``period``'s, for "the nearest year, the later on a tie" (a mapping or
-- a population lent to a year that has none of its own).
CREATE OR REPLACE MACRO year_distance(period, other) AS
    abs(left(period, 4)::INT - left(other, 4)::INT) * 2 - (left(other, 4) > left(period, 4))::INT;

-- The lower age of a registrations age band ('0_4', '85_89', '95+', as the publisher writes them).
CREATE OR REPLACE MACRO age_band_lower(age_band) AS
    CASE WHEN age_band LIKE '%+' THEN replace(age_band, '+', '')::INT ELSE split_part(age_band, '_', 1)::INT END;

-- The financial year (April to March) holding a date, as the extracts' periods are written: '2022-23'.
CREATE OR REPLACE MACRO financial_year(d) AS
    (year(d) - (month(d) < 4)::INTEGER)::VARCHAR || '-' || right((year(d) - (month(d) < 4)::INTEGER + 1)::VARCHAR, 2);
