-- practice_deprivation: deprivation of each practice's registered population: each LSOA's IMD 2019 score
-- weighted by the practice's patients who live there (practice_lsoa_patients, else practice_location_patients).
-- Patients with no LSOA, or an LSOA not in the IMD, are left out of both numerator and denominator.
CREATE OR REPLACE TABLE practice_deprivation AS
SELECT r.period, r.practice_code, r.method,
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
JOIN imd i USING (lsoa_code)
WHERE r.patients > 0
GROUP BY r.period, r.practice_code, r.method;
