-- pcn_service_usage: the PCN rows of area_service_usage.
CREATE OR REPLACE VIEW pcn_service_usage AS
SELECT period, area_code AS pcn_code, measure, kind, numerator, denominator FROM area_service_usage WHERE level = 'pcn';
