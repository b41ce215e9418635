-- deprivation_methods: how the deprivation of each year was found (registered patients by LSOA, or the practice's
-- location), by which edition of the index (edition, and the rule that chose it: deprivation_edition) and whether
-- the index file gave scores or ranks: what the pages say, without the counts.
CREATE OR REPLACE TABLE deprivation_methods AS
SELECT d.period, d.method, e.edition, any_value(e.rule) AS rule,
       coalesce(bool_or(d.scored_patients > 0), false) AS scored,
       coalesce(bool_or(d.ranked_patients > 0), false) AS ranked
FROM practice_deprivation d JOIN deprivation_edition e USING (period) GROUP BY d.period, d.method, e.edition;
