"""Benchmark: the full PCN profile built by the SQL models in DuckDB against the same profile written plainly
in pandas, the way an analyst would, from the same validated tables of the national-scale demo.

The pandas version follows the same plan as the models, so that the two engines do the same work: the 1.5
million registrations by LSOA are summed per practice before the practices are summed to PCN, ICB and England,
and the expected-rate table is applied to each area's age-sex bands, not to every practice row.

Each engine runs in its own process (so each peak memory is its own); both load their inputs first, then
build in alternate rounds (DuckDB, pandas, DuckDB, ...) so that a change in the machine's speed falls on both
alike. The script checks that both give the same numbers (pcn_profile, and the age-sex pyramid and IMD
quintiles the app reads) and prints the median times, the ratio and the peak memory.

    .venv/bin/python benchmarks/profile.py [--db benchmarks/out/national.duckdb] [--repeat 5]

The national database is built first (by benchmarks/build.py's steps) when it does not exist.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import duckdb
import numpy as np
import pandas as pd

from phm_profile import demo, models, profile, stats, store

#: The validated tables the profile is built from (what a build has loaded before its models run).
INPUTS = ("practice_mapping", "qof_prevalence", "qof_list_size", "patients_age_sex", "patients_lsoa", "imd",
          "service_usage", "lsoa_boundaries", "qof_registers", "service_measures", "expected_prevalence")


# ---------------------------------------------------------------------------------------------------------
# DuckDB: the product's own models
# ---------------------------------------------------------------------------------------------------------

def duckdb_engine(db: str):
    """The validated tables in a new database opened as a build opens it (store.open_for_build) and not yet
    checkpointed, as they are when a build runs the models; returns (build, result)."""
    folder = tempfile.TemporaryDirectory(prefix="phm-profile-benchmark-")
    con = store.open_for_build(Path(folder.name) / "profile.duckdb")
    con.execute("ATTACH ? AS src (READ_ONLY)", [db])
    for table in (*INPUTS, "indicators"):
        if table != "service_measures":  # a staging view over the indicators
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
    con.execute("DETACH src")

    def result():
        built = {table: con.execute(f"SELECT {', '.join(key + values + texts)} FROM {table}").df()
                 for table, (key, values, texts) in COMPARED.items()}
        con.close()
        folder.cleanup()
        return built

    return lambda: (models.run_staging(con), models.run_all(con)), result


# ---------------------------------------------------------------------------------------------------------
# pandas: the same profile, step by step
# ---------------------------------------------------------------------------------------------------------

def pandas_engine(db: str):
    """The validated tables as pandas DataFrames; returns (build, result)."""
    con = duckdb.connect(db, read_only=True)
    tables = {t: con.execute(f"SELECT * FROM {t}").df() for t in INPUTS}
    con.close()
    built = {}

    def build():
        built.update(pandas_profile(tables))

    return build, lambda: built


def _nearest_mapping(period: str, mapping_periods: list[str]) -> str:
    year = int(period[:4])
    return min(mapping_periods, key=lambda m: abs(year - int(m[:4])) * 2 - (int(m[:4]) > year))


def _levels(frame: pd.DataFrame, by: list[str], values: dict, include_practice: bool = False) -> pd.DataFrame:
    """Sum ``values`` for every PCN, ICB and England (and practice)."""
    out = []
    levels = [("pcn", "pcn_code"), ("icb", "icb_code"), ("england", None)]
    if include_practice:
        levels.insert(0, ("practice", "practice_code"))
    for level, column in levels:
        part = frame.copy() if column is None else frame[frame[column].notna()].copy()
        part["area_code"] = "ENGLAND" if column is None else part[column]
        summed = part.groupby(["area_code", *by], as_index=False).agg(**values)
        summed.insert(0, "level", level)
        out.append(summed)
    return pd.concat(out, ignore_index=True)


def indicator_values(kind: str, numerator, denominator, multiplier: float, confidence: float):
    """Value and interval of an indicator of one kind, by the OHID method for that kind (stats.py)."""
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    nan = np.full(len(x), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "proportion":
            ok = (n > 0) & (x >= 0) & (x <= n)
            x, n = np.where(ok, x, np.nan), np.where(ok, n, np.nan)
            return (x / n * multiplier, stats.wilson_lower(x, n, confidence) * multiplier,
                    stats.wilson_upper(x, n, confidence) * multiplier)
        if kind in ("rate", "ratio"):
            ok = (n > 0) & (x >= 0)
            x, n = np.where(ok, x, np.nan), np.where(ok, n, np.nan)
            lower, upper = stats.count_interval(x, confidence)
            return x / n * multiplier, lower / n * multiplier, upper / n * multiplier
    return x, nan, nan


def pandas_profile(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """pcn_profile and the other tables the app reads that the models build (age-sex pyramid, IMD quintiles)."""
    mapping = t["practice_mapping"]
    periods = set()
    for name in ("qof_prevalence", "qof_list_size", "patients_age_sex", "patients_lsoa", "service_usage",
                 "practice_mapping"):
        periods |= set(t[name]["period"].unique())
    mapping_periods = sorted(mapping["period"].unique())
    practice_pcn = pd.concat(
        [mapping[mapping["period"] == _nearest_mapping(p, mapping_periods)].assign(period=p) for p in sorted(periods)],
        ignore_index=True,
    )[["period", "practice_code", "pcn_code", "pcn_name", "icb_code"]]
    geography = practice_pcn[["period", "practice_code", "pcn_code", "icb_code"]]

    # List sizes by list type for each level.
    lists = t["qof_list_size"].dropna(subset=["list_size"]).merge(geography, on=["period", "practice_code"], how="left")
    lists = _levels(lists, ["period", "list_type"], {"list_size": ("list_size", "sum")})
    total = lists[lists["list_type"] == "TOTAL"]
    over65 = total.merge(lists[lists["list_type"] == "65OV"], on=["level", "area_code", "period"], suffixes=("", "_65"))

    # Prevalence: register over the list of its list type (DEP: 18+).
    prevalence = t["qof_prevalence"].merge(t["qof_registers"][["group_code", "list_type"]], on="group_code",
                                           how="left", suffixes=("", "_default"))
    prevalence["list_type"] = prevalence["list_type"].fillna(prevalence["list_type_default"])
    prevalence = prevalence.merge(
        t["qof_list_size"][["period", "practice_code", "list_type", "list_size"]],
        on=["period", "practice_code", "list_type"], how="left", suffixes=("", "_list"))
    prevalence["denominator"] = prevalence["list_size"].fillna(prevalence["list_size_list"])
    prevalence = prevalence.dropna(subset=["register", "denominator"])
    prevalence = prevalence.merge(geography, on=["period", "practice_code"], how="left")
    area_prevalence = _levels(prevalence, ["period", "group_code"],
                              {"register": ("register", "sum"), "denominator": ("denominator", "sum")})

    # Deprivation: IMD score weighted by registered patients in each LSOA; patients in each national quintile.
    # The registrations are summed per practice first, then the practices to PCN, ICB and England, as the models do.
    lsoa = t["patients_lsoa"][t["patients_lsoa"]["patients"] > 0].merge(t["imd"], on="lsoa_code")
    lsoa["weighted"] = lsoa["patients"] * lsoa["imd_score"]
    quintile = np.ceil(lsoa["imd_decile"] / 2)
    for q in range(1, 6):
        lsoa[f"q{q}_patients"] = np.where(quintile == q, lsoa["patients"], 0)
    sums = ["weighted", "patients", *(f"q{q}_patients" for q in range(1, 6))]
    practice_deprivation = lsoa.groupby(["period", "practice_code"], as_index=False)[sums].sum()
    practice_deprivation = practice_deprivation.merge(geography, on=["period", "practice_code"], how="left")
    deprivation = _levels(practice_deprivation, ["period"], {column: (column, "sum") for column in sums},
                          include_practice=True)
    deprivation["imd_score"] = deprivation["weighted"] / deprivation["patients"]

    # Registered patients by sex and age band for each PCN, ICB and England; expected common mental disorders
    # and psychosis from the expected-rate table applied to each area's bands (a band counts where it overlaps
    # the table's ages), as the models do.
    population = t["patients_age_sex"].merge(geography, on=["period", "practice_code"], how="left")
    area_population = _levels(population, ["period", "sex", "age_band"], {"patients": ("patients", "sum")})
    pcn_population = area_population[area_population["level"] == "pcn"].rename(columns={"area_code": "pcn_code"})
    bands = area_population[["sex", "age_band"]].drop_duplicates()
    bands["age_lower"] = bands["age_band"].str.replace("+", "", regex=False).str.split("_").str[0].astype(int)
    rates = t["expected_prevalence"].assign(sex=lambda e: e["sex"].str.upper())
    band_rates = bands.merge(rates, on="sex")
    band_rates = band_rates[(band_rates["age_lower"] + 4 >= band_rates["age_from"])
                            & (band_rates["age_lower"] <= band_rates["age_to"])]
    band_rates = band_rates.groupby(["sex", "age_band", "condition"], as_index=False)["expected_rate"].sum()
    expected = area_population.merge(band_rates, on=["sex", "age_band"])
    expected["expected"] = expected["patients"] * expected["expected_rate"]
    area_expected = expected.groupby(["level", "area_code", "period", "condition"], as_index=False)["expected"].sum()

    # Service usage: practice rows summed; rates over the TOTAL list of the practices that reported.
    usage = t["service_usage"]
    practice_usage = usage[(usage["org_type"] == "practice") & usage["numerator"].notna()]
    practice_usage = practice_usage.merge(t["service_measures"][["measure", "kind"]], on="measure")
    totals = t["qof_list_size"][t["qof_list_size"]["list_type"] == "TOTAL"][["period", "practice_code", "list_size"]]
    practice_usage = practice_usage.merge(totals, left_on=["period", "org_code"],
                                          right_on=["period", "practice_code"], how="left")
    practice_usage = practice_usage.drop(columns="practice_code").rename(columns={"org_code": "practice_code"})
    practice_usage = practice_usage.merge(geography, on=["period", "practice_code"], how="left")
    practice_usage = practice_usage[(practice_usage["kind"] == "proportion") | practice_usage["list_size"].notna()]
    practice_usage["base"] = np.where(practice_usage["kind"] == "rate", practice_usage["list_size"],
                                      practice_usage["denominator"])
    area_usage = _levels(practice_usage, ["period", "measure"],
                         {"numerator": ("numerator", "sum"), "denominator": ("base", "sum")})
    pcn_rows = usage[usage["org_type"] == "pcn"].merge(t["service_measures"][["measure", "kind"]], on="measure")
    if len(pcn_rows):
        pcn_lists = lists[(lists["level"] == "pcn") & (lists["list_type"] == "TOTAL")]
        pcn_rows = pcn_rows.merge(pcn_lists[["area_code", "period", "list_size"]], left_on=["org_code", "period"],
                                  right_on=["area_code", "period"], how="left")
        pcn_rows["denominator"] = np.where(pcn_rows["kind"] == "rate", pcn_rows["list_size"], pcn_rows["denominator"])
        pcn_rows = pcn_rows.assign(level="pcn", area_code=pcn_rows["org_code"])
        known = area_usage[area_usage["level"] == "pcn"][["area_code", "period", "measure"]]
        pcn_rows = pcn_rows.merge(known, how="left", indicator=True)
        pcn_rows = pcn_rows[pcn_rows["_merge"] == "left_only"]
        area_usage = pd.concat([area_usage, pcn_rows[area_usage.columns]], ignore_index=True)

    # Every indicator as numerator and denominator.
    key = ["level", "area_code", "period"]
    parts = [
        total[key].assign(indicator="list_size", numerator=total["list_size"], denominator=np.nan),
        over65[key].assign(indicator="age_65_plus", numerator=over65["list_size_65"], denominator=over65["list_size"]),
        deprivation[key].assign(indicator="imd_score", numerator=deprivation["imd_score"], denominator=np.nan),
        deprivation[key].assign(indicator="imd_q1_share", numerator=deprivation["q1_patients"],
                                denominator=deprivation["patients"]),
        area_prevalence[key].assign(indicator="prev_" + area_prevalence["group_code"].str.lower(),
                                    numerator=area_prevalence["register"], denominator=area_prevalence["denominator"]),
        area_usage[key].assign(indicator="svc_" + area_usage["measure"], numerator=area_usage["numerator"],
                               denominator=area_usage["denominator"]),
    ]
    for condition, group, name in (("CMD", "DEP", "cmd_recorded_vs_expected"), ("SMI", "MH", "smi_recorded_vs_expected")):
        recorded = area_prevalence[area_prevalence["group_code"] == group]
        ratio = recorded.merge(area_expected[area_expected["condition"] == condition], on=key)
        parts.append(ratio[key].assign(indicator=name, numerator=ratio["register"], denominator=ratio["expected"]))
    area = pd.concat([p[p["level"] != "practice"] for p in parts], ignore_index=True)
    area = area[area["area_code"].notna()]
    area[["numerator", "denominator"]] = area[["numerator", "denominator"]].astype(float)

    # Values and intervals by kind (the same OHID methods), then ICB and England alongside each PCN.
    kinds = pd.concat([
        pd.DataFrame({"indicator": ["list_size", "age_65_plus", "imd_score", "imd_q1_share",
                                    "cmd_recorded_vs_expected", "smi_recorded_vs_expected"],
                      "kind": ["count", "proportion", "score", "proportion", "ratio", "ratio"],
                      "multiplier": [1, 100, 1, 100, 100, 100]}),
        pd.DataFrame({"indicator": "prev_" + t["qof_registers"]["group_code"].str.lower(), "kind": "proportion",
                      "multiplier": 100}),
        pd.DataFrame({"indicator": "svc_" + t["service_measures"]["measure"], "kind": t["service_measures"]["kind"],
                      "multiplier": t["service_measures"]["multiplier"]}),
    ])
    area = area.merge(kinds, on="indicator")
    valued = []
    for (kind, multiplier), part in area.groupby(["kind", "multiplier"]):
        part = part.copy()
        value, lower95, upper95 = indicator_values(kind, part["numerator"], part["denominator"], multiplier, 0.95)
        _, lower998, upper998 = indicator_values(kind, part["numerator"], part["denominator"], multiplier, 0.998)
        part["value"], part["lower_95"], part["upper_95"] = value, lower95, upper95
        part["lower_998"], part["upper_998"] = lower998, upper998
        valued.append(part)
    area = pd.concat(valued, ignore_index=True)
    names = practice_pcn[practice_pcn["pcn_code"].notna()].groupby(["period", "pcn_code"], as_index=False).agg(
        pcn_name=("pcn_name", "first"), icb_code=("icb_code", "first"))
    pcn = area[area["level"] == "pcn"].rename(columns={"area_code": "pcn_code"})
    pcn = pcn.merge(names, on=["period", "pcn_code"])
    icb = area[area["level"] == "icb"][["area_code", "period", "indicator", "value"]].rename(
        columns={"area_code": "icb_code", "value": "icb_value"})
    england = area[area["level"] == "england"][["period", "indicator", "value"]].rename(columns={"value": "england_value"})
    pcn = pcn.merge(icb, on=["icb_code", "period", "indicator"], how="left")
    pcn = pcn.merge(england, on=["period", "indicator"], how="left")
    pcn["vs_icb"] = stats.compare(pcn["lower_95"], pcn["upper_95"], pcn["icb_value"])
    pcn["vs_england"] = stats.compare(pcn["lower_95"], pcn["upper_95"], pcn["england_value"])
    return {"pcn_profile": pcn[profile.PROFILE_COLUMNS], "pcn_population": pcn_population,
            "area_deprivation": deprivation[[*COMPARED["area_deprivation"][0], *COMPARED["area_deprivation"][1]]]}


# ---------------------------------------------------------------------------------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: The tables both engines build, compared: key columns, numeric columns, text columns.
COMPARED = {
    "pcn_profile": (("pcn_code", "period", "indicator"),
                    ("numerator", "denominator", "value", "lower_95", "upper_95", "lower_998", "upper_998",
                     "icb_value", "england_value"),
                    ("pcn_name", "icb_code", "vs_icb", "vs_england")),
    "pcn_population": (("period", "pcn_code", "sex", "age_band"), ("patients",), ()),
    "area_deprivation": (("level", "area_code", "period"),
                         ("imd_score", "patients", "q1_patients", "q2_patients", "q3_patients", "q4_patients",
                          "q5_patients"), ()),
}


def same_numbers(duck: dict[str, pd.DataFrame], plain: dict[str, pd.DataFrame]) -> None:
    """Raise AssertionError unless both engines' tables hold the same rows and values (to 1e-9 relative)."""
    for table, (key, values, texts) in COMPARED.items():
        a = duck[table].sort_values(list(key)).reset_index(drop=True)
        b = plain[table].sort_values(list(key)).reset_index(drop=True)
        assert len(a) == len(b), f"{table}: row counts differ: {len(a):,} vs {len(b):,}"
        assert (a[list(key)].values == b[list(key)].values).all(), f"{table}: the rows cover different keys"
        for column in values:  # a sum over no rows is NULL in SQL, 0 in pandas
            np.testing.assert_allclose(a[column].astype(float).fillna(0), b[column].astype(float).fillna(0),
                                       rtol=1e-9, err_msg=f"{table}.{column}")
        for column in texts:
            assert (a[column].astype(str).values == b[column].astype(str).values).all(), f"{table}.{column}"


ENGINES = {"duckdb": duckdb_engine, "pandas": pandas_engine}


def worker(engine: str, db: str, pipe) -> None:
    """One engine in its own process (so its peak memory is its own): load the inputs, then build once per
    "run" message and send the seconds it took; on "result", send the peak memory and the tables built."""
    build, result = ENGINES[engine](db)
    pipe.send("ready")
    while (message := pipe.recv()) == "run":
        started = time.perf_counter()
        build()
        pipe.send(time.perf_counter() - started)
    pipe.send((_peak_mb(), result()))


def start(engine: str, db: str):
    context = mp.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=worker, args=(engine, db, child))
    process.start()
    assert parent.recv() == "ready"
    return process, parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="benchmarks/out/national.duckdb")
    parser.add_argument("--data", help="national extracts (default: next to the database, in national/)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        extracts = Path(args.data) if args.data else db.parent / "national"
        if not extracts.exists():
            print("writing the national demo extracts ...", flush=True)
            demo.write_demo(extracts, "national", seed=2024)
        print("building the national database ...", flush=True)
        store.build(extracts, db)
    # Both engines load first, then build in alternate rounds, so a change in the machine's speed during the
    # run (this VM's varies by up to ~30%) falls on both alike.
    engines = {engine: start(engine, str(db)) for engine in ENGINES}
    times = {engine: [] for engine in ENGINES}
    for _ in range(args.repeat):
        for engine, (_, pipe) in engines.items():
            pipe.send("run")
            times[engine].append(pipe.recv())
    finished = {}
    for engine, (process, pipe) in engines.items():
        pipe.send("result")
        finished[engine] = pipe.recv()
        process.join()
    (duck_peak, duck_result), (pandas_peak, pandas_result) = finished["duckdb"], finished["pandas"]
    duck_times, pandas_times = times["duckdb"], times["pandas"]
    same_numbers(duck_result, pandas_result)
    duck, plain = statistics.median(duck_times), statistics.median(pandas_times)
    rows = ", ".join(f"{table} {len(frame):,}" for table, frame in duck_result.items())
    print(f"rows: {rows} (DuckDB and pandas agree on every number)")
    print(f"DuckDB models, median of {args.repeat}: {duck:.2f} s (target <= 2 s); peak memory {duck_peak:,.0f} MB "
          "(target <= 1,536 MB)")
    print(f"pandas, median of {args.repeat}:        {plain:.2f} s; peak memory {pandas_peak:,.0f} MB")
    rounds = sorted(p / d for d, p in zip(duck_times, pandas_times))
    print(f"DuckDB is {plain / duck:.1f}x faster (target >= 10x); round by round {rounds[0]:.1f}x to {rounds[-1]:.1f}x")


if __name__ == "__main__":
    main()
