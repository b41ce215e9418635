"""Registered list of each practice in the QOF list types (TOTAL, 16OV, 17OV, 18OV, 30_74, 50OV, 0_64, 65OV),
one row per practice and one column per list type, as published alongside QOF prevalence (and as in the
House of Commons Library's gp-by-age.csv)."""

from .base import Column, ExtractSpec
from .qof_prevalence import PRACTICE_CODE

LIST_TYPES = ("TOTAL", "16OV", "17OV", "18OV", "30_74", "50OV", "0_64", "65OV")

_WIDE_COLUMNS = ", ".join('{lt_%s} AS "%s"' % (t.lower(), t) for t in LIST_TYPES)
_NAMES = ", ".join('"%s"' % t for t in LIST_TYPES)

SPEC = ExtractSpec(
    kind="qof_list_size",
    title="QOF list sizes by list type",
    table="qof_list_size",
    columns=(
        PRACTICE_CODE,
        *(
            Column(f"lt_{t.lower()}", (t, f"LIST_SIZE_{t}", f"{t}_LIST_SIZE"), "count",
                   required=t in ("TOTAL", "18OV"), label=f"{t} list size")
            for t in LIST_TYPES
        ),
    ),
    key=("practice_code",),
    select_sql=f"""
        SELECT ? AS period, practice_code, list_type, list_size, ? AS source_file, source_row
        FROM (
            SELECT practice_code, _row AS source_row,
                   {_WIDE_COLUMNS}
            FROM raw
        ) UNPIVOT (list_size FOR list_type IN ({_NAMES}))
        WHERE list_size IS NOT NULL
    """,
)
