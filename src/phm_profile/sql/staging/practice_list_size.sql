-- practice_list_size: each practice's list of each QOF list type.
CREATE OR REPLACE VIEW practice_list_size AS
SELECT period, practice_code, list_type, list_size FROM qof_list_size WHERE list_size IS NOT NULL
UNION ALL
SELECT period, practice_code, list_type, max(list_size) FROM qof_prevalence p
WHERE list_size IS NOT NULL AND list_type IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM qof_list_size l WHERE l.period = p.period AND l.practice_code = p.practice_code
                  AND l.list_type = p.list_type)
GROUP BY ALL;
