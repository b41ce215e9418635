-- practice_deprivation_editions: deprivation of each practice's registered population by every edition of the
-- index loaded that its LSOAs can use: each LSOA's IMD score weighted by the practice's patients who live there
-- (practice_lsoa_patients, else practice_location_patients), an edition joined only on LSOAs of its own edition
-- (IMD 2019 on 2011 LSOAs, IMD 2025 on 2021). Patients with no LSOA, or an LSOA not in the index, are left out of
-- both numerator and denominator. deprivation_edition picks the edition each year uses.
CREATE OR REPLACE TABLE practice_deprivation_editions AS
SELECT r.period, i.edition, r.practice_code, r.method,
       sum(r.patients * i.imd_score) AS weighted_score,
       sum(r.patients) FILTER (WHERE i.imd_score IS NOT NULL) AS scored_patients,
       sum(r.patients * i.imd_rank) AS weighted_rank,
       sum(r.patients) FILTER (WHERE i.imd_rank IS NOT NULL) AS ranked_patients,
       sum(r.patients)::BIGINT AS patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (1, 2))::BIGINT AS q1_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (3, 4))::BIGINT AS q2_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (5, 6))::BIGINT AS q3_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (7, 8))::BIGINT AS q4_patients,
       sum(r.patients) FILTER (WHERE i.imd_decile IN (9, 10))::BIGINT AS q5_patients
FROM (SELECT *, 'registered patients by LSOA' AS method FROM practice_lsoa_patients
      UNION ALL BY NAME
      SELECT *, 'practice location' AS method FROM practice_location_patients) r
JOIN imd i ON i.lsoa_code = r.lsoa_code AND i.lsoa_edition = r.lsoa_edition
WHERE r.patients > 0
GROUP BY r.period, i.edition, r.practice_code, r.method;
