-- Typed tables the readers append to; one per published extract. Every row keeps the file and row it came
-- from so a later check (register above list size, unknown practice) can name them.
CREATE TABLE practice_mapping (
    period VARCHAR NOT NULL, practice_code VARCHAR NOT NULL, practice_name VARCHAR,
    pcn_code VARCHAR, pcn_name VARCHAR, sub_icb_code VARCHAR, sub_icb_ons_code VARCHAR, sub_icb_name VARCHAR,
    icb_code VARCHAR, icb_name VARCHAR, region_code VARCHAR, region_name VARCHAR, extract_date DATE,
    mapping_source VARCHAR, source_file VARCHAR, source_row BIGINT
);
CREATE TABLE qof_prevalence (
    period VARCHAR NOT NULL, practice_code VARCHAR NOT NULL, group_code VARCHAR NOT NULL,
    register BIGINT, list_type VARCHAR, list_size BIGINT, source_file VARCHAR, source_row BIGINT
);
CREATE TABLE qof_list_size (
    period VARCHAR NOT NULL, practice_code VARCHAR NOT NULL, list_type VARCHAR NOT NULL, list_size BIGINT,
    source_file VARCHAR, source_row BIGINT
);
CREATE TABLE patients_age_sex (
    period VARCHAR NOT NULL, extract_date DATE, practice_code VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    age_band VARCHAR NOT NULL, patients BIGINT, source_file VARCHAR, source_row BIGINT
);
-- The publisher's own totals for other organisation levels (PCN, sub-ICB, ICB, region) carried in a
-- registrations file: checked against the sums of its practice rows, never used instead of them.
CREATE TABLE published_registrations (
    period VARCHAR, extract_date DATE, org_type VARCHAR, org_code VARCHAR, sex VARCHAR, age_band VARCHAR,
    patients BIGINT, source_file VARCHAR, source_row BIGINT
);
CREATE TABLE patients_lsoa (
    period VARCHAR NOT NULL, extract_date DATE, practice_code VARCHAR NOT NULL, lsoa_code VARCHAR NOT NULL,
    patients BIGINT, source_file VARCHAR, source_row BIGINT
);
-- Every edition of the Index of Multiple Deprivation loaded (2019 on 2011 LSOAs, 2025 on 2021 LSOAs): one row
-- per edition and LSOA; which edition a year uses is the rule of sql/intermediate/deprivation_edition.sql.
CREATE TABLE imd (
    edition INTEGER NOT NULL, lsoa_edition INTEGER NOT NULL, lsoa_code VARCHAR NOT NULL, lsoa_name VARCHAR,
    lad_code VARCHAR, lad_name VARCHAR, imd_score DOUBLE, imd_rank BIGINT, imd_decile BIGINT, source_file VARCHAR,
    source_row BIGINT
);
CREATE TABLE service_usage (
    org_type VARCHAR NOT NULL, org_code VARCHAR NOT NULL, period VARCHAR NOT NULL, measure VARCHAR NOT NULL,
    numerator BIGINT, denominator BIGINT, source_file VARCHAR, source_row BIGINT
);
-- Record-level referrals counted by practice and calendar month (readers/mh_referrals.py), for the monthly series
-- before and after a PCN's MHPs started (queries.mhp_impact); no record is stored.
CREATE TABLE service_month (
    practice_code VARCHAR NOT NULL, month DATE NOT NULL, cmht_referrals BIGINT, cmht_rejected BIGINT,
    tt_with_wait BIGINT, tt_long_wait BIGINT, mhp_contacts BIGINT, source_file VARCHAR
);
CREATE TABLE practice_location (
    practice_code VARCHAR NOT NULL, latitude DOUBLE, longitude DOUBLE, source_file VARCHAR, source_row BIGINT
);
-- The LSOA each practice's location falls in (geo.locate_practices), for deprivation without by-LSOA lists.
CREATE TABLE practice_lsoa (practice_code VARCHAR NOT NULL, lsoa_edition INTEGER NOT NULL, lsoa_code VARCHAR NOT NULL);
-- The practice nearest each LSOA's centre (geo.locate_practices), for maps without by-LSOA lists.
CREATE TABLE lsoa_nearest_practice (lsoa_edition INTEGER NOT NULL, lsoa_code VARCHAR NOT NULL,
                                    practice_code VARCHAR NOT NULL);
-- Published service measures for England, ICBs and sub-ICB locations (readers/context_measures.py): context
-- beside a PCN's profile, never a PCN figure.
CREATE TABLE context_measures (
    source VARCHAR, level VARCHAR, org_code VARCHAR, org_name VARCHAR, period_start DATE, period_end DATE,
    measure VARCHAR, measure_name VARCHAR, unit VARCHAR, breakdown VARCHAR, imd_decile INTEGER, value DOUBLE,
    source_file VARCHAR, source_row BIGINT
);
CREATE TABLE practices (
    practice_code VARCHAR NOT NULL, practice_name VARCHAR, postcode VARCHAR, open_date DATE, close_date DATE,
    join_date DATE, status VARCHAR, commissioner VARCHAR, setting VARCHAR, source_file VARCHAR, source_row BIGINT
);
CREATE TABLE lsoa_boundaries (lsoa_code VARCHAR NOT NULL, lsoa_edition INTEGER NOT NULL, geometry_wkb BLOB,
                              source_file VARCHAR);
-- NHS England's PCN Workforce (readers/pcn_workforce.py): one row per edition, PCN, person and role, as published;
-- MHPs are the roles the publisher tags (is_mhp, mhp_role); the rest of the team is kept beside them.
CREATE TABLE pcn_workforce (
    census DATE NOT NULL, period VARCHAR, data_source VARCHAR, employment VARCHAR, pcn_code VARCHAR NOT NULL,
    pcn_name VARCHAR, sub_icb_code VARCHAR, icb_code VARCHAR, icb_name VARCHAR, region_code VARCHAR,
    staff_group VARCHAR, staff_role VARCHAR, detailed_role VARCHAR, role_stem VARCHAR, is_mhp BOOLEAN,
    mhp_role VARCHAR, fte DOUBLE, person_id VARCHAR, source_file VARCHAR, source_row BIGINT
);
CREATE TABLE sources (
    file_name VARCHAR, kind VARCHAR, checksum_sha256 VARCHAR, period VARCHAR, row_count BIGINT,
    loaded_at TIMESTAMP, warnings BIGINT
);
CREATE TABLE build_issues (severity VARCHAR, file VARCHAR, row BIGINT, "column" VARCHAR, message VARCHAR);
