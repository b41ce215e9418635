-- pcn_deprivation: the PCN rows of area_deprivation.
CREATE OR REPLACE VIEW pcn_deprivation AS
SELECT period, area_code AS pcn_code, imd_score, imd_rank, patients,
       q1_patients, q2_patients, q3_patients, q4_patients, q5_patients
FROM area_deprivation WHERE level = 'pcn';
