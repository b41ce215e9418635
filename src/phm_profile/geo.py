"""Boundaries: LSOA polygons in, PCN shapes out (geopandas; DuckDB's spatial extension cannot be installed
offline, so geometry is stored as WKB and handled here)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import geopandas as gpd
import pyarrow.parquet as pq

from .readers.base import Report, normalise_header, sha256
from .readers import LoadedFile

BOUNDARY_SUFFIXES = (".geojson", ".geoparquet")
LSOA_CODE_ALIASES = ("LSOA11CD", "LSOA21CD", "LSOA_CODE", "LSOA_CODE_2011", "LSOA11_CODE", "LSOA21_CODE")


def is_boundary_file(path: Path) -> bool:
    """GeoJSON, or GeoParquet by its suffix or, for a plain .parquet, by the 'geo' metadata GeoParquet writes."""
    suffix = path.suffix.lower()
    if suffix in BOUNDARY_SUFFIXES:
        return True
    if suffix != ".parquet":
        return False
    try:
        return b"geo" in (pq.read_schema(path).metadata or {})
    except Exception:  # not readable as Parquet: the table reader says why
        return False


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    path = Path(path)
    if path.suffix.lower() in (".geoparquet", ".parquet"):
        return gpd.read_parquet(path)
    return gpd.read_file(path)


def load_boundaries(con: duckdb.DuckDBPyConnection, path: Path, report: Report, name: str | None = None
                    ) -> LoadedFile | None:
    """Append LSOA polygons (WGS84) to ``lsoa_boundaries``, with the LSOA edition they draw (2011 or 2021: from
    the code column's name, LSOA11CD or LSOA21CD, else the file's name, else 2011, said)."""
    name = name or path.name
    try:
        frame = read_boundaries(path)
    except Exception as exc:  # pyogrio / pyarrow raise many kinds; all mean 'unreadable'
        report.error(name, None, None, f"this is not a readable GeoJSON/GeoParquet file: {exc}.")
        return None
    column = next((c for c in frame.columns if normalise_header(c) in LSOA_CODE_ALIASES), None)
    if column is None:
        report.error(name, 1, "LSOA11CD", "the boundary file has no LSOA code column (LSOA11CD, LSOA21CD "
                     f"or LSOA_CODE); its columns are {', '.join(map(str, frame.columns))}.")
        return None
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    frame[column] = frame[column].astype(str).str.strip().str.upper()
    invalid = ~frame.geometry.is_valid
    if invalid.any():  # published so (e.g. a self-touching ring): repaired, not dropped
        codes = frame.loc[invalid, column]
        frame.loc[invalid, "geometry"] = frame.geometry[invalid].make_valid()
        report.warning(name, int(codes.index[0]) + 2, column, f"{len(codes):,} invalid polygons (such as "
                       f"{codes.iloc[0]}) were repaired (made valid), not dropped.")
    edition = lsoa_edition(column, name)
    if edition is None:
        edition = 2011
        report.warning(name, 1, column, "neither the column nor the file name says which LSOAs these are (2011 or "
                       "2021: LSOA11CD or LSOA21CD); they are taken as 2011 LSOAs.")
    table = frame[[column]].rename(columns={column: "lsoa_code"})
    table["lsoa_edition"] = edition
    table["geometry_wkb"] = frame.geometry.to_wkb()
    table["source_file"] = name
    con.register("boundary_frame", table)
    con.execute("INSERT INTO lsoa_boundaries SELECT lsoa_code, lsoa_edition, geometry_wkb, source_file FROM boundary_frame")
    con.unregister("boundary_frame")
    return LoadedFile(path, "lsoa_boundaries", len(table), [f"LSOA {edition}"], sha256(path), name=name)


def lsoa_edition(column: str, file_name: str) -> int | None:
    """2011 or 2021: the LSOAs a column (LSOA11CD, 'LSOA code (2021)') or else a file name (lsoa21_...) names."""
    for text in (normalise_header(column), normalise_header(Path(file_name).name)):
        found = re.search(r"LSOA_?(?:CODE_?)?(?:20)?(11|21)(?!\d)", text) or re.search(r"(?<!\d)20(11|21)(?!\d)", text)
        if found:
            return 2000 + int(found.group(1))
    return None


def pcn_boundaries(con: duckdb.DuckDBPyConnection, period: str) -> gpd.GeoDataFrame:
    """PCN shapes for a period: each LSOA goes to the PCN with most of its registered patients, and the
    LSOA polygons are dissolved by PCN."""
    frame = con.execute("SELECT lsoa_code, pcn_code, geometry_wkb FROM pcn_lsoa_assignment WHERE period = ?",
                        [period]).df()
    if frame.empty:
        return gpd.GeoDataFrame({"pcn_code": []}, geometry=[], crs=4326)
    geometry = gpd.GeoSeries.from_wkb(frame["geometry_wkb"].map(bytes), crs=4326)
    shapes = gpd.GeoDataFrame(frame[["pcn_code"]], geometry=geometry, crs=4326)
    return shapes.dissolve(by="pcn_code").reset_index()


def area_boundaries(con: duckdb.DuckDBPyConnection, period: str, members: list[tuple[str, str]]) -> gpd.GeoDataFrame:
    """Your own areas' shapes for a period (``members``: (area_name, practice_code) pairs): each LSOA drawn for the
    area holding the practice that registers most of its patients (pcn_lsoa_assignment.practice_code), the
    polygons dissolved by area (an LSOA of a practice in two areas is in both)."""
    names, codes = (list(x) for x in zip(*members)) if members else ([], [])
    frame = con.execute("""
        WITH m AS (SELECT unnest(?::VARCHAR[]) AS area_name, unnest(?::VARCHAR[]) AS practice_code)
        SELECT m.area_name, a.geometry_wkb FROM pcn_lsoa_assignment a JOIN m USING (practice_code)
        WHERE a.period = ?""", [names, codes, period]).df()
    if frame.empty:
        return gpd.GeoDataFrame({"pcn_code": []}, geometry=[], crs=4326)
    geometry = gpd.GeoSeries.from_wkb(frame["geometry_wkb"].map(bytes), crs=4326)
    shapes = gpd.GeoDataFrame(frame[["area_name"]].rename(columns={"area_name": "pcn_code"}), geometry=geometry, crs=4326)
    return shapes.dissolve(by="pcn_code").reset_index()  # keyed as the PCN map's shapes are (charts.pcn_map)


def locate_practices(con: duckdb.DuckDBPyConnection, report: Report) -> None:
    """Place each practice with a location in the LSOA polygon holding it (``practice_lsoa``), in each edition of
    LSOAs whose boundaries are loaded, for deprivation by the practice's own LSOA when no practice-by-LSOA
    registrations are loaded."""
    points = con.execute("SELECT practice_code, latitude, longitude, source_file FROM practice_location "
                         "WHERE latitude IS NOT NULL AND longitude IS NOT NULL").df()
    editions = [e for (e,) in con.execute("SELECT DISTINCT lsoa_edition FROM lsoa_boundaries ORDER BY 1").fetchall()]
    if points.empty or not editions:
        return
    located = gpd.GeoDataFrame(points[["practice_code"]],
                               geometry=gpd.points_from_xy(points["longitude"], points["latitude"], crs=4326))
    placed: set[str] = set()  # practices in an LSOA of any edition loaded
    for edition in editions:
        polygons = con.execute("SELECT lsoa_code, geometry_wkb FROM lsoa_boundaries WHERE lsoa_edition = ?",
                               [edition]).df()
        areas = gpd.GeoDataFrame(polygons[["lsoa_code"]],
                                 geometry=gpd.GeoSeries.from_wkb(polygons["geometry_wkb"].map(bytes), crs=4326))
        joined = located.sjoin(areas, how="left", predicate="within").drop_duplicates("practice_code")
        found = joined.dropna(subset=["lsoa_code"])[["practice_code", "lsoa_code"]].assign(lsoa_edition=edition)
        con.register("located_frame", found)
        con.execute("INSERT INTO practice_lsoa SELECT practice_code, lsoa_edition, lsoa_code FROM located_frame")
        con.unregister("located_frame")
        placed |= set(found.practice_code)
        # Each LSOA to the nearest practice (British National Grid, metres), to draw PCN areas on a map.
        grid = 27700
        # a point inside each LSOA, found on the WGS84 polygons and then projected (projecting 33,000 polygons
        # to find their points took most of the time)
        centres = gpd.GeoDataFrame(areas[["lsoa_code"]], geometry=areas.representative_point(), crs=4326).to_crs(grid)
        nearest = centres.sjoin_nearest(located.to_crs(grid), how="inner").drop_duplicates("lsoa_code")
        con.register("nearest_frame", nearest[["lsoa_code", "practice_code"]].assign(lsoa_edition=edition))
        con.execute("INSERT INTO lsoa_nearest_practice SELECT lsoa_edition, lsoa_code, practice_code "
                    "FROM nearest_frame")
        con.unregister("nearest_frame")
    outside = len(points) - len(placed)
    if outside:
        example = sorted(set(points["practice_code"]) - placed)[0]
        report.warning(points["source_file"].iloc[0], None, None, f"{outside:,} practices (such as {example}) lie "
                       "in no LSOA of the boundaries loaded (outside England, or a wrong location); they have no "
                       "deprivation from their location.")
