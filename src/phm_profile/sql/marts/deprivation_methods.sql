-- deprivation_methods: how the deprivation of each year was found (registered patients by LSOA, or the practice's
-- location) and whether the IMD file gave scores or ranks: what the Data & methods page says, without the counts.
CREATE OR REPLACE TABLE deprivation_methods AS
SELECT period, method, coalesce(bool_or(scored_patients > 0), false) AS scored,
       coalesce(bool_or(ranked_patients > 0), false) AS ranked
FROM practice_deprivation GROUP BY period, method;
