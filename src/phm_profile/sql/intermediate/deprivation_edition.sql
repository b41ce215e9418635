-- deprivation_edition: the edition of the index each year uses (a stated rule, shown on the Data & methods page):
-- the latest edition loaded that was published before the year ended (an edition of year E is published in E, so
-- it serves the financial years ending 31 March E+1 or later: IMD 2019 from 2019-20, IMD 2025 from 2025-26);
-- for a year before any edition loaded, the earliest loaded. Only editions the year's LSOAs can use count (IMD 2025
-- needs 2021 LSOAs: registrations by 2021 LSOA, or the practices placed in 2021 LSOA boundaries).
CREATE OR REPLACE TABLE deprivation_edition AS
WITH usable AS (
    SELECT DISTINCT period, edition, edition < CAST(left(period, 4) AS INTEGER) + 1 AS published
    FROM practice_deprivation_editions
), loaded AS (  -- the latest edition loaded that was published before each year ended, usable or not
    SELECT p.period, max(i.edition) FILTER (WHERE i.edition < CAST(left(p.period, 4) AS INTEGER) + 1) AS latest
    FROM (SELECT DISTINCT period FROM usable) p CROSS JOIN (SELECT DISTINCT edition FROM imd) i GROUP BY p.period
), chosen AS (
    SELECT period, coalesce(max(edition) FILTER (WHERE published), min(edition)) AS edition,
           bool_or(published) AS any_published
    FROM usable GROUP BY period
)
SELECT c.period, c.edition,
       CASE WHEN c.edition = l.latest THEN 'the latest edition published before the year ended'
            WHEN c.any_published THEN 'the latest edition published before the year ended that the year''s LSOAs '
                                      || 'can use (IMD ' || l.latest || ' is on LSOAs of another edition)'
            WHEN l.latest IS NOT NULL THEN 'the year''s LSOAs can use no edition published before it ended: the '
                                           || 'earliest it can use'
            ELSE 'no edition loaded was published before the year ended: the earliest loaded' END AS rule
FROM chosen c JOIN loaded l USING (period);
