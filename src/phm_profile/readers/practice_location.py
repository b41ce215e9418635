"""Where each practice is: latitude and longitude (WGS84), e.g. geocoded from the practice's ODS postcode
(qof_geographies/practice_coordinates_YYYY_YYYY.parquet: practice_code, lat, lon). Used, with the LSOA
boundaries, to place each practice in its LSOA when no practice-by-LSOA registrations are loaded, and to draw
PCNs on the map from their practices."""

from .base import Column, ExtractSpec

SPEC = ExtractSpec(
    kind="practice_location",
    title="practice locations (practice code, latitude, longitude)",
    table="practice_location",
    columns=(
        Column("practice_code", ("PRACTICE_CODE", "ORG_CODE"), "code", code="practice", label="practice code"),
        Column("latitude", ("LAT", "LATITUDE"), "number", label="latitude", minimum=49, maximum=61,
               range_severity="warning"),  # real geocoding puts a few practices abroad
        Column("longitude", ("LON", "LONG", "LNG", "LONGITUDE"), "number", label="longitude", signed=True,
               minimum=-9, maximum=3, range_severity="warning"),  # the UK, in WGS84 degrees
    ),
    key=("practice_code",),
    needs_period=False,
    select_sql="""
        SELECT practice_code, {latitude} AS latitude, {longitude} AS longitude, ? AS source_file, _row AS source_row
        FROM raw
    """,
)
