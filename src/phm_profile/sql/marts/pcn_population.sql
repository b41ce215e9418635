-- pcn_population: the PCN rows of area_population.
CREATE OR REPLACE VIEW pcn_population AS
SELECT period, area_code AS pcn_code, sex, age_band, age_band_lower(age_band) AS age_from, patients FROM area_population WHERE level = 'pcn';
