"""English Indices of Deprivation 2019 (MHCLG) by 2011 LSOA: File 7 (scores, ranks, deciles, CSV), File 1
(ranks and deciles, XLSX sheet IMD2019), or a lookup carrying the decile (LSOA_CODE, IMD_OVERALL)."""

from .base import Column, ExtractSpec

#: England's 2011 LSOAs, which IMD 2019 ranks (1 = most deprived).
LSOAS_2011 = 32_844

SPEC = ExtractSpec(
    kind="imd",
    title="the Index of Multiple Deprivation 2019 by LSOA",
    table="imd",
    columns=(
        Column("lsoa_code", ("LSOA_CODE_2011", "LSOA_CODE", "LSOA11CD", "LSOA_CODE_2011_"), "code", code="lsoa",
               label="LSOA code"),
        Column("lsoa_name", ("LSOA_NAME_2011", "LSOA_NAME", "LSOA11NM"), required=False),
        Column("lad_code", ("LOCAL_AUTHORITY_DISTRICT_CODE_2019", "LAD_CODE", "LAD19CD"), required=False),
        Column("lad_name", ("LOCAL_AUTHORITY_DISTRICT_NAME_2019", "LAD_NAME", "LAD19NM"), required=False),
        Column("imd_score", ("INDEX_OF_MULTIPLE_DEPRIVATION_IMD_SCORE", "IMD_SCORE", "IMD19_SCORE"), "number",
               required=False, label="IMD score", minimum=0, maximum=100),
        Column("imd_rank", ("INDEX_OF_MULTIPLE_DEPRIVATION_IMD_RANK_WHERE_1_IS_MOST_DEPRIVED",
                            "INDEX_OF_MULTIPLE_DEPRIVATION_IMD_RANK", "IMD_RANK", "IMD19_RANK"), "count",
               required=False, label="IMD rank", minimum=1, maximum=LSOAS_2011),
        Column("imd_decile", ("INDEX_OF_MULTIPLE_DEPRIVATION_IMD_DECILE_WHERE_1_IS_MOST_DEPRIVED_10%_OF_LSOAS",
                              "INDEX_OF_MULTIPLE_DEPRIVATION_IMD_DECILE", "IMD_DECILE", "IMD_OVERALL",
                              "IMD19_DECILE"), "count", label="IMD decile", minimum=1, maximum=10),
    ),
    key=("lsoa_code",),
    skip_where="lsoa_code LIKE 'W%'",
    skip_reason="Welsh LSOAs; the English IMD 2019 covers England only.",
    needs_period=False,
    select_sql="""
        SELECT lsoa_code, lsoa_name, lad_code, lad_name, {imd_score} AS imd_score, {imd_rank} AS imd_rank,
               {imd_decile} AS imd_decile, ? AS source_file, _row AS source_row
        FROM raw
    """,
)
