"""GP practices and other prescribing organisations from the Organisation Data Service (NHS England ODS,
epraccur.csv): published with no header row, 27 columns. Gives each practice's name, postcode, open and close
dates, status (A active, C closed, D dormant, P proposed) and prescribing setting (4 = GP practice), so closed
practices and non-GP settings in the data are flagged."""

from .base import Column, ExtractSpec

#: The published columns of epraccur.csv, in order (ODS "GP Practices" file specification).
EPRACCUR_COLUMNS = (
    "Organisation Code", "Name", "National Grouping", "High Level Health Geography", "Address Line 1",
    "Address Line 2", "Address Line 3", "Address Line 4", "Address Line 5", "Postcode", "Open Date", "Close Date",
    "Status Code", "Organisation Sub-Type Code", "Commissioner", "Join Provider/Purchaser Date",
    "Left Provider/Purchaser Date", "Contact Telephone Number", "Null 1", "Null 2", "Null 3",
    "Amended Record Indicator", "Null 4", "Provider/Purchaser", "Null 5", "Prescribing Setting", "Null 6",
)

SPEC = ExtractSpec(
    kind="practices",
    title="GP practices from ODS (epraccur)",
    table="practices",
    columns=(
        Column("practice_code", ("ORGANISATION_CODE",), "code", code="ods", label="organisation code"),
        Column("practice_name", ("NAME",), label="name"),
        Column("postcode", ("POSTCODE",), required=False),
        Column("open_date", ("OPEN_DATE",), "date", required=False, label="open date"),
        Column("close_date", ("CLOSE_DATE",), "date", required=False, label="close date"),
        Column("status", ("STATUS_CODE",), label="status code"),
        Column("commissioner", ("COMMISSIONER",), required=False),
        Column("setting", ("PRESCRIBING_SETTING",), label="prescribing setting"),
        Column("join_date", ("JOIN_PROVIDER_PURCHASER_DATE",), "date", required=False, label="join date"),
    ),
    key=("practice_code",),
    needs_period=False,
    headerless=EPRACCUR_COLUMNS,
    select_sql="""
        SELECT practice_code, practice_name, postcode, {date_open_date} AS open_date, {date_close_date} AS close_date,
               {date_join_date} AS join_date, upper(status) AS status, commissioner, setting, ? AS source_file, _row AS source_row
        FROM raw
    """,
)
