-- qof_register_denominator: each QOF register row with the list it is a share of: the list size published
-- with the register, else the practice's list of the register's list type (DEP: 18+). The one definition
-- used by the build's "register above list size" check and by the prevalence model.
CREATE OR REPLACE VIEW qof_register_denominator AS
SELECT p.period, p.practice_code, p.group_code, coalesce(p.list_type, r.list_type) AS list_type,
       p.register, coalesce(p.list_size, l.list_size) AS denominator, p.source_file, p.source_row
FROM qof_prevalence p
LEFT JOIN qof_registers r USING (group_code)
LEFT JOIN qof_list_size l ON l.period = p.period AND l.practice_code = p.practice_code
     AND l.list_type = coalesce(p.list_type, r.list_type);
