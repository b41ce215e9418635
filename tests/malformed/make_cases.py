"""Write the malformed-extract cases of this folder (committed; run again only to change them)."""
import io
from pathlib import Path

OUT = Path(__file__).resolve().parent
MAP_HEAD = "PRACTICE_CODE,PRACTICE_NAME,PCN_ODS_CODE,PCN_NAME,SUB_ICB_ODS_CODE,SUB_ICB_NAME,ICB_ODS_CODE,ICB_NAME,REGION_ODS_CODE,REGION_NAME\n"
MAP_ROWS = ["Z90001,Test Practice 1,U99001,Test PCN 1,99X,Test Sub-ICB,QZT,Test ICB,Y99,Test Region",
            "Z90002,Test Practice 2,U99001,Test PCN 1,99X,Test Sub-ICB,QZT,Test ICB,Y99,Test Region"]
MAPPING = MAP_HEAD + "\n".join(MAP_ROWS) + "\n"
LIST = "PRACTICE_CODE,TOTAL,16OV,17OV,18OV,30_74,50OV,0_64,65OV\nZ90001,4000,3200,3100,3000,2000,1200,3500,500\nZ90002,6000,4800,4700,4600,3000,1800,5200,800\n"
PREV = "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE\nZ90001,MH,40,TOTAL\nZ90001,DEP,400,18OV\nZ90002,MH,55,TOTAL\nZ90002,DEP,520,18OV\n"
AGE_HEAD = "PUBLICATION,EXTRACT_DATE,TYPE,SUB_ICB_LOCATION_CODE,ONS_SUB_ICB_LOCATION_CODE,ORG_CODE,POSTCODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS\n"
AGE = AGE_HEAD + "Patients Registered at a GP Practice,01APR2024,GP,99X,E38000999,Z90001,ZZ99 3WZ,MALE,0_4,150\nPatients Registered at a GP Practice,01APR2024,GP,99X,E38000999,Z90001,ZZ99 3WZ,FEMALE,0_4,140\n"
LSOA_HEAD = "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,NUMBER_OF_PATIENTS\n"
IMD = ('"LSOA code (2011)","LSOA name (2011)","Local Authority District code (2019)","Local Authority District name (2019)",'
       '"Index of Multiple Deprivation (IMD) Score","Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",'
       '"Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"\n'
       "E01000001,Area 1,E09000001,District,6.2,29199,9\nE01000002,Area 2,E09000001,District,40.1,3000,1\n")

cases = {
    "01_missing_column": ({"PREVALENCE_2324.csv": PREV.replace("REGISTER,", "REGISTR,")}, "PREVALENCE_2324.csv, row 1, column REGISTER"),
    "02_wrong_headers": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": "CODE,NAME,NETWORK\nZ90001,x,U99001\n"}, "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv, row 1"),
    "03_negative_count": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING, "PREVALENCE_2324.csv": PREV.replace("Z90002,MH,55", "Z90002,MH,-55")}, "PREVALENCE_2324.csv, row 4, column REGISTER"),
    "04_not_a_number": ({"QOF_LIST_SIZE_2324.csv": LIST.replace("4000", "four thousand")}, "QOF_LIST_SIZE_2324.csv, row 2, column TOTAL"),
    "05_duplicate_rows": ({"PREVALENCE_2324.csv": PREV + "Z90001,MH,41,TOTAL\n"}, "PREVALENCE_2324.csv, row 6, column PRACTICE_CODE / GROUP_CODE"),
    "06_register_not_a_number": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING, "QOF_LIST_SIZE_2324.csv": LIST,
                                  "PREVALENCE_2324.csv": PREV.replace("Z90001,MH,40", "Z90001,MH,4O")}, "PREVALENCE_2324.csv, row 2, column REGISTER"),
    "07_bad_practice_code": ({"PREVALENCE_2324.csv": PREV.replace("Z90002,MH", "90002Z,MH")}, "PREVALENCE_2324.csv, row 4, column PRACTICE_CODE"),
    "08_bad_pcn_code": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING.replace("U99001,Test PCN 1,99X", "PCN-1,Test PCN 1,99X", 1)}, "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv, row 2, column PCN_ODS_CODE"),
    "09_bad_lsoa_code": ({"gp-reg-pat-prac-lsoa-all-apr-2024.csv": LSOA_HEAD + "Patients Registered at a GP Practice,01APR2024,Z90001,P1,LSOA-ONE,ALL,40\n"}, "gp-reg-pat-prac-lsoa-all-apr-2024.csv, row 2, column LSOA_CODE"),
    "10_bad_date": ({"gp-reg-pat-prac-quin-age-apr-2024.csv": AGE.replace("01APR2024", "31/13/2024", 1)}, "gp-reg-pat-prac-quin-age-apr-2024.csv, row 2, column EXTRACT_DATE"),
    "11_empty_file": ({"PREVALENCE_2324.csv": ""}, "PREVALENCE_2324.csv"),
    "12_headers_only": ({"PREVALENCE_2324.csv": PREV.splitlines()[0] + "\n"}, "PREVALENCE_2324.csv, row 2"),
    "13_no_period_in_name": ({"prevalence.csv": PREV}, "prevalence.csv"),
    "14_truncated_xlsx": ({"epcn.xlsx": None}, "epcn.xlsx"),
    "15_lsoa_2021_against_imd_2019": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING, "File_7_imd2019.csv": IMD, "gp-reg-pat-prac-lsoa-all-apr-2024.csv":
                                       LSOA_HEAD + "".join(f"Patients Registered at a GP Practice,01APR2024,Z90001,P1,E0103300{i},ALL,40\n" for i in range(5))},
                                      "gp-reg-pat-prac-lsoa-all-apr-2024.csv, row 2, column LSOA_CODE"),
    "16_duplicate_file": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING, "PREVALENCE_2324.csv": PREV, "PREVALENCE_2324_copy.csv": PREV}, "PREVALENCE_2324_copy.csv"),
    "17_bad_period_value": ({"mh_service_usage.csv": "ORG_TYPE,ORG_CODE,PERIOD,MEASURE,NUMERATOR,DENOMINATOR\npractice,Z90001,2023/24,mh_ae_attendances,26,\n"}, "mh_service_usage.csv, row 2, column PERIOD"),
    "18_blank_practice_code": ({"QOF_LIST_SIZE_2324.csv": LIST.replace("Z90002,6000", ",6000")}, "QOF_LIST_SIZE_2324.csv, row 3, column PRACTICE_CODE"),
    "19_semicolon_separated": ({"QOF_LIST_SIZE_2324.csv": LIST.replace(",", ";")}, "QOF_LIST_SIZE_2324.csv, row 1"),
    "20_cp1252_negative": ({"QOF_LIST_SIZE_2324.csv": None}, "QOF_LIST_SIZE_2324.csv, row 3, column TOTAL"),
    "21_referral_bad_date": ({"mh_referrals_records.csv": "REFERRAL_ID,PRACTICE_CODE,REFERRAL_DATE,SERVICE,OUTCOME,WAIT_DAYS\n1,Z90001,2023-02-30,CMHT,REJECTED,\n"}, "mh_referrals_records.csv, row 2, column REFERRAL_DATE"),
    "22_duplicate_referral_id": ({"mh_referrals_records.csv": "REFERRAL_ID,PRACTICE_CODE,REFERRAL_DATE,SERVICE,OUTCOME,WAIT_DAYS\n1,Z90001,2023-02-01,CMHT,REJECTED,\n1,Z90002,2023-02-02,CMHT,ACCEPTED,\n"}, "mh_referrals_records.csv, row 3, column REFERRAL_ID"),
    "23_not_a_table": ({"notes.csv": "\x00\x01\x02binary\x00junk\n\x00"}, "notes.csv"),
    "24_unknown_extract": ({"budget_2324.csv": "COST_CENTRE,AMOUNT\nA1,100\n"}, "budget_2324.csv, row 1"),
    "25_expected_rate_as_percent": ({"expected_rates.csv": "CONDITION,SEX,AGE_FROM,AGE_TO,EXPECTED_RATE\nCMD,MALE,16,120,9.1\nCMD,FEMALE,16,120,0.2\n"}, "expected_rates.csv, row 2, column EXPECTED_RATE"),
    # Faults found by an adversarial review (issue 14): each used to load silently, changing figures, or crash.
    "26_short_row": ({"PREVALENCE_2324.csv": PREV.replace("Z90001,DEP,400,18OV", "Z90001,DEP,400")}, "PREVALENCE_2324.csv, row 3"),
    "27_long_row": ({"PREVALENCE_2324.csv": PREV.replace("Z90001,DEP,400,18OV", "Z90001,DEP,400,18OV,extra")}, "PREVALENCE_2324.csv, row 3"),
    "28_infinite_register": ({"PREVALENCE_2324.csv": PREV.replace("Z90001,MH,40", "Z90001,MH,inf")}, "PREVALENCE_2324.csv, row 2, column REGISTER"),
    "29_nan_list_size": ({"QOF_LIST_SIZE_2324.csv": LIST.replace("Z90001,4000", "Z90001,NaN")}, "QOF_LIST_SIZE_2324.csv, row 2, column TOTAL"),
    "30_count_too_large": ({"PREVALENCE_2324.csv": PREV.replace("Z90001,MH,40", "Z90001,MH,1e300")}, "PREVALENCE_2324.csv, row 2, column REGISTER"),
    "31_misgrouped_thousands": ({"QOF_LIST_SIZE_2324.csv": LIST.replace("Z90001,4000", 'Z90001,"4,00,0"')}, "QOF_LIST_SIZE_2324.csv, row 2, column TOTAL"),
    "32_register_code_two_spellings": ({"PREVALENCE_2324.csv": PREV + "Z90001,mh,41,TOTAL\n"}, "PREVALENCE_2324.csv, row 6, column PRACTICE_CODE / GROUP_CODE"),
    "33_sex_two_spellings": ({"gp-reg-pat-prac-quin-age-apr-2024.csv": AGE + "Patients Registered at a GP Practice,01APR2024,GP,99X,E38000999,Z90001,ZZ99 3WZ,M,0_4,150\n"},
                             "gp-reg-pat-prac-quin-age-apr-2024.csv, row 4, column EXTRACT_DATE / ORG_CODE / SEX / AGE_GROUP_5"),
    "34_age_band_two_spellings": ({"gp-reg-pat-prac-quin-age-apr-2024.csv": AGE + "Patients Registered at a GP Practice,01APR2024,GP,99X,E38000999,Z90001,ZZ99 3WZ,FEMALE,0-4,140\n"},
                                  "gp-reg-pat-prac-quin-age-apr-2024.csv, row 4, column EXTRACT_DATE / ORG_CODE / SEX / AGE_GROUP_5"),
    "35_same_age_file_twice": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING, "gp-reg-pat-prac-quin-age-apr-2024.csv": AGE,
                                "gp-reg-pat-prac-quin-age-apr-2024_copy.csv": AGE}, "gp-reg-pat-prac-quin-age-apr-2024_copy.csv"),
    "36_same_imd_twice": ({"File_7_imd2019.csv": IMD, "imd_lookup.csv": IMD}, "imd_lookup.csv"),
    "37_one_month_in_two_files": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING, "gp-reg-pat-prac-quin-age-apr-2024.csv": AGE,
                                   "patients_by_age_april.csv": AGE.replace(",150\n", ",151\n")}, "patients_by_age_april.csv"),
    "38_imd_decile_out_of_range": ({"File_7_imd2019.csv": IMD.replace(",6.2,29199,9", ",6.2,29199,11")},
                                   "File_7_imd2019.csv, row 2, column Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"),
    "39_imd_rank_out_of_range": ({"File_7_imd2019.csv": IMD.replace(",40.1,3000,1", ",40.1,0,1")},
                                 "File_7_imd2019.csv, row 3, column Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"),
    "40_imd_score_out_of_range": ({"File_7_imd2019.csv": IMD.replace(",6.2,", ",140,")}, "File_7_imd2019.csv, row 2, column Index of Multiple Deprivation (IMD) Score"),
    "41_cyrillic_register_code": ({"PREVALENCE_2324.csv": PREV.replace("Z90001,MH,40", "Z90001,\u041cH,40")}, "PREVALENCE_2324.csv, row 2, column GROUP_CODE"),
    "42_zero_width_space_in_code": ({"PREVALENCE_2324.csv": PREV.replace("Z90002,MH,55", "Z90002\u200b,MH,55")}, "PREVALENCE_2324.csv, row 4, column PRACTICE_CODE"),
    "43_nul_byte_in_value": ({"PREVALENCE_2324.csv": PREV.replace("Z90001,MH,40,TOTAL", "Z90001,MH,40,TOT\x00AL")}, "PREVALENCE_2324.csv"),
    "44_expected_rates_age_gap": ({"expected_rates.csv": "CONDITION,SEX,AGE_FROM,AGE_TO,EXPECTED_RATE\nCMD,MALE,16,24,0.09\nCMD,MALE,35,120,0.1\nCMD,FEMALE,16,120,0.2\n"},
                                  "expected_rates.csv, row 3, column AGE_FROM"),
    "45_formulas_without_values": ({"QOF_LIST_SIZE_2324.xlsx": None}, "QOF_LIST_SIZE_2324.xlsx, row 2, column TOTAL"),
    "46_oversized_workbook": ({"ePCN_2023_2024.xlsx": None}, "ePCN_2023_2024.xlsx"),
    "47_unquoted_comma_in_name": ({"MAPPING_NHS_GEOGRAPHIES_2023_2024.csv": MAPPING.replace("Test Practice 2", "Smith, Jones and Partners")},
                                  "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv, row 3"),
    "48_latitude_not_a_number": ({"practice_coordinates_2023_2024.csv": "practice_code,lat,lon\nZ90001,north,-1.5\n"}, "practice_coordinates_2023_2024.csv, row 2, column lat"),
    "49_measure_two_spellings": ({"mh_service_usage.csv": "ORG_TYPE,ORG_CODE,PERIOD,MEASURE,NUMERATOR,DENOMINATOR\npractice,Z90001,2023-24,mh_ae_attendances,26,\n"
                                                          "Practice,Z90001,2023-24,MH_AE_ATTENDANCES,27,\n"}, "mh_service_usage.csv, row 3"),
    "50_practice_twice_in_one_month": ({"gp-reg-pat-prac-map.csv": "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,ICB_CODE\n"
                                                                  "GP_PRAC_PAT_LIST,01APR2024,Z90001,P1,U99001,PCN 1,99X,QZT\nGP_PRAC_PAT_LIST,01APR2024,Z90001,P1,U99002,PCN 2,99X,QZT\n"},
                                       "gp-reg-pat-prac-map.csv, row 3, column EXTRACT_DATE / PRACTICE_CODE"),
    "51_decimal_comma": ({"QOF_LIST_SIZE_2324.csv": LIST.replace("Z90001,4000", 'Z90001,"4000,5"')}, "QOF_LIST_SIZE_2324.csv, row 2, column TOTAL"),
}
for name, (files, expected) in cases.items():
    folder = OUT / name
    if folder.exists() and "--all" not in __import__("sys").argv:
        continue  # the committed cases stay byte for byte (the truncated workbook is not reproducible)
    folder.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        path = folder / file
        if name == "14_truncated_xlsx":
            buf = io.BytesIO()
            import openpyxl
            wb = openpyxl.Workbook(); ws = wb.active
            ws.append(["PRACTICE_CODE", "PCN_CODE"]); ws.append(["Z90001", "U99001"])
            wb.save(buf)
            path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
        elif name == "20_cp1252_negative":
            path.write_bytes(LIST.replace("Z90002,6000", "Z90002,-6000").replace("PRACTICE_CODE", "PRACTICE_CODE").encode("cp1252")
                             + "Z90003,100,90,90,90,50,20,80,10 \u00a3\n".encode("cp1252"))
        elif name == "45_formulas_without_values":  # openpyxl writes formulas and no cached values, as some tools do
            import openpyxl
            wb = openpyxl.Workbook(); ws = wb.active
            ws.append(["PRACTICE_CODE", "TOTAL", "18OV"])
            ws.append(["Z90001", "=3000+1000", 3000]); ws.append(["Z90002", "=4600+1400", 4600])
            wb.save(path)
        elif name == "46_oversized_workbook":  # a small file whose XML expands to 450 MB
            import zipfile
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
                zf.writestr("[Content_Types].xml", "<Types/>")
                with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
                    for _ in range(450):
                        member.write(b" " * 1_000_000)
        else:
            path.write_bytes(text.encode("utf-8"))
    (folder / "EXPECTED.txt").write_text(expected + "\n")
print(len(cases))
