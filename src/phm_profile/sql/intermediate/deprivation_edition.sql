-- deprivation_edition: the edition of the index each year uses (a stated rule, shown on the Data & methods page):
-- the latest edition loaded that was published before the year ended (an edition of year E is published in E, so
-- it serves the financial years ending 31 March E+1 or later: IMD 2019 from 2019-20, IMD 2025 from 2025-26);
-- for a year before any edition loaded, the earliest loaded. Only editions the year's LSOAs can use count (IMD 2025
-- needs 2021 LSOAs: registrations by 2021 LSOA, or the practices placed in 2021 LSOA boundaries).
CREATE OR REPLACE TABLE deprivation_edition AS
WITH usable AS (
    SELECT DISTINCT period, edition, edition < CAST(left(period, 4) AS INTEGER) + 1 AS published
    FROM practice_deprivation_editions
)
SELECT period,
       coalesce(max(edition) FILTER (WHERE published), min(edition)) AS edition,
       CASE WHEN bool_or(published) THEN 'the latest edition published before the year ended'
            ELSE 'no edition loaded was published before the year ended: the earliest loaded' END AS rule
FROM usable GROUP BY period;
