-- pcn_list_size: the PCN rows of area_list_size.
CREATE OR REPLACE VIEW pcn_list_size AS
SELECT period, area_code AS pcn_code, list_type, list_size, practices FROM area_list_size WHERE level = 'pcn';
