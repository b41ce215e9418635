-- practice_prevalence: each register with its denominator, the list of the register's list type (DEP: 18+).
CREATE OR REPLACE VIEW practice_prevalence AS
SELECT period, practice_code, group_code, list_type, register, denominator
FROM qof_register_denominator
WHERE register IS NOT NULL AND denominator IS NOT NULL;
