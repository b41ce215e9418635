"""Boundaries: LSOA polygons in, PCN shapes out (geopandas; DuckDB's spatial extension cannot be installed
offline, so geometry is stored as WKB and handled here)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import geopandas as gpd

from .readers.base import Report, normalise_header, sha256
from .readers import LoadedFile

BOUNDARY_SUFFIXES = (".geojson", ".geoparquet")
LSOA_CODE_ALIASES = ("LSOA11CD", "LSOA21CD", "LSOA_CODE", "LSOA_CODE_2011")


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    path = Path(path)
    if path.suffix.lower() == ".geoparquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path)


def load_boundaries(con: duckdb.DuckDBPyConnection, path: Path, report: Report) -> LoadedFile | None:
    """Append LSOA polygons (WGS84) to ``lsoa_boundaries``."""
    try:
        frame = read_boundaries(path)
    except Exception as exc:  # pyogrio / pyarrow raise many kinds; all mean 'unreadable'
        report.error(path.name, None, None, f"this is not a readable GeoJSON/GeoParquet file: {exc}.")
        return None
    column = next((c for c in frame.columns if normalise_header(c) in LSOA_CODE_ALIASES), None)
    if column is None:
        report.error(path.name, 1, "LSOA11CD", "the boundary file has no LSOA code column (LSOA11CD, LSOA21CD "
                     f"or LSOA_CODE); its columns are {', '.join(map(str, frame.columns))}.")
        return None
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    table = frame[[column]].rename(columns={column: "lsoa_code"})
    table["geometry_wkb"] = frame.geometry.to_wkb()
    table["source_file"] = path.name
    con.register("boundary_frame", table)
    con.execute("INSERT INTO lsoa_boundaries SELECT lsoa_code, geometry_wkb, source_file FROM boundary_frame")
    con.unregister("boundary_frame")
    return LoadedFile(path, "lsoa_boundaries", len(table), [], sha256(path))


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
