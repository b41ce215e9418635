-- practice_deprivation: each practice's deprivation by the edition of the index its year uses
-- (deprivation_edition), from practice_deprivation_editions.
CREATE OR REPLACE TABLE practice_deprivation AS
SELECT d.* FROM practice_deprivation_editions d JOIN deprivation_edition e USING (period, edition);
