-- service_measures: the service-usage measures a tidy service file or the referral records may give (the
-- ``svc_`` rows of data/indicators.csv, without the prefix).
CREATE OR REPLACE VIEW service_measures AS
SELECT substr(indicator, 5) AS measure, label, kind, multiplier, source FROM indicators WHERE indicator LIKE 'svc_%';
