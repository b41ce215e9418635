-- extract_dates: which monthly extract stands for each financial year, for the datasets published monthly
-- (registrations by age and sex, by LSOA, and the registrations' practice map). A file may hold several
-- months; each extract date belongs to the financial year whose end (31 March) lies nearest
-- (checks.financial_year_sql), and of the months a year has, the one nearest to that 31 March is used (the later
-- one on a tie), so April 2025 stands for 2024-25 and December 2025 for 2025-26. The other months are left
-- out, and the Data & methods page lists them.
CREATE OR REPLACE TABLE extract_dates AS
WITH dated AS (
    SELECT DISTINCT 'patients_age_sex' AS dataset, period, extract_date FROM patients_age_sex
    UNION SELECT DISTINCT 'patients_lsoa', period, extract_date FROM patients_lsoa
    UNION SELECT DISTINCT 'practice_mapping', period, extract_date FROM practice_mapping WHERE extract_date IS NOT NULL
), distance AS (
    SELECT *, make_date(left(period, 4)::INT + 1, 3, 31) AS year_end FROM dated WHERE extract_date IS NOT NULL
)
SELECT dataset, period,
       arg_min(extract_date, abs(date_diff('day', extract_date, year_end)) * 2 - (extract_date > year_end)::INT)
           AS extract_date,
       list(extract_date ORDER BY extract_date) AS dates_in_data
FROM distance GROUP BY dataset, period;
