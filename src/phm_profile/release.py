"""The release layer: with small-number suppression on, every figure is computed from released counts only.

NHS England and ONS publish from the released table, never beside it. A build therefore writes, beside the exact
models, a schema ``released`` holding every count the app shows as released (suppression.release_counts: 1-7
hidden, others rounded to 5; secondary suppression where the parts of a shown total would give one back), with
every rate, interval, rank and comparison recomputed from those counts, and every pooled figure (ICB, England, a
group of similar PCNs, a deprivation quintile) the sum of the released numerators over the sum of the released
denominators of the areas whose counts are shown (a suppressed area is left out of both, and counted).

A query run with suppression on reads through ``cursor``: a DuckDB instance of its own in which only the released
relations exist (views of ``released.*``; the exact tables are not there to be named), so no query can reach an
exact count by forgetting a flag. The queries' ``suppress`` flag picks the cursor (queries.releasable)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import database, stats, suppression

SCHEMA = "released"

#: Relations without patient counts that released queries read as they are: definitions, memberships, names,
#: the build's report, boundaries and the staffing file.
PASS_THROUGH = ("indicators", "qof_registers", "expected_prevalence", "practice_pcn", "build_issues", "practices", "population_source", "deprivation_methods", "deprivation_edition", "lsoa_boundaries",
                "mhp_staffing", "confidence_z", "exact_poisson_limits", "pcn_workforce", "workforce_editions",
                "pcn_mhp_in_post", "workforce_pcn_match", "pcn_mhp_today", "area_sets")

#: Released relations of their own (written by ``write``), each with the columns of the exact relation of the
#: same name, so that one SQL text serves both.
RELEASED = ("pcn_profile", "practice_profile", "pcn_prevalence", "pcn_need_inputs", "pcn_population", "area_deprivation",
            "inequality_quintiles", "pcn_service_month", "context_measures", "pcn_lsoa_assignment", "pcn_icb",
            "sources")


class NotReleased(Exception):
    """A database built before the release layer existed: it cannot be shown with suppression on."""


# -- At build: the released relations -------------------------------------------------------------------------

def write(con: duckdb.DuckDBPyConnection) -> None:
    """Write schema ``released`` into the database being built (after the models)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    tables = set(_tables(con))
    for name in PASS_THROUGH:
        if name in tables:
            con.execute(f"CREATE OR REPLACE VIEW {SCHEMA}.{name} AS SELECT * FROM main.{name}")
    profile = released_profile(con.execute("""
        SELECT p.*, i.kind, i.multiplier FROM pcn_profile p JOIN indicators i USING (indicator)""").df(), con.execute("""
        SELECT a.period, a.indicator, nullif(a.area_code, '(none)') AS icb_code, a.numerator, a.denominator,
               i.kind, i.multiplier
        FROM area_indicator a JOIN indicators i USING (indicator) WHERE a.level = 'no_pcn'""").df())
    _store(con, "pcn_profile", profile.drop(columns=["kind", "multiplier"]))
    if "practice_profile" in tables:
        _store(con, "practice_profile", released_practices(con.execute("""
            SELECT x.*, i.kind, i.multiplier FROM practice_profile x JOIN indicators i USING (indicator)""").df(),
            profile))
    _store(con, "pcn_prevalence", _released_prevalence(con))
    _store(con, "pcn_need_inputs", _released_need_inputs(con))
    _store(con, "pcn_population", _released_population(con))
    _store(con, "area_deprivation", _released_deprivation(con))
    _store(con, "inequality_quintiles", _released_quintiles(con))
    if "pcn_service_month" in tables:
        _store(con, "pcn_service_month", _released_service_month(con))
    con.execute(f"""
        CREATE OR REPLACE VIEW {SCHEMA}.context_measures AS
        SELECT * REPLACE (CASE WHEN unit <> 'count' THEN value WHEN value >= 1 AND value < {suppression.SMALLEST_SHOWN}
                               THEN NULL ELSE floor(value / {suppression.ROUND_TO} + 0.5) * {suppression.ROUND_TO}
                          END AS value)
        FROM main.context_measures""")
    # Which ICB each PCN is shown under, without the patients of each part; the files loaded, with their rows
    # counted as released (a file of referral records counts referrals).
    con.execute(f"CREATE OR REPLACE VIEW {SCHEMA}.pcn_icb AS SELECT period, pcn_code, icb_code, icbs FROM main.pcn_icb")
    con.execute(f"""
        CREATE OR REPLACE VIEW {SCHEMA}.sources AS
        SELECT * REPLACE (CASE WHEN row_count >= 1 AND row_count < {suppression.SMALLEST_SHOWN} THEN NULL
                               ELSE floor(row_count / {suppression.ROUND_TO} + 0.5) * {suppression.ROUND_TO}
                          END::BIGINT AS row_count)
        FROM main.sources""")
    con.execute(f"""
        CREATE OR REPLACE VIEW {SCHEMA}.pcn_lsoa_assignment AS
        SELECT period, lsoa_code, pcn_code, geometry_wkb, method, practice_code FROM main.pcn_lsoa_assignment""")


def _tables(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'main'").fetchall()]


def _store(con, name: str, frame: pd.DataFrame) -> None:
    con.register("released_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {SCHEMA}.{name} AS SELECT * FROM released_frame")
    con.unregister("released_frame")


def pooled(numerator, denominator, multiplier: float = 1.0) -> tuple[float, int]:
    """A group's value from its released counts: the sum of the numerators over the sum of the denominators of the
    areas whose counts are both shown, and how many areas were left out because one was suppressed."""
    x = pd.to_numeric(pd.Series(numerator), errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(pd.Series(denominator), errors="coerce").to_numpy(dtype=float)
    shown = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if not shown.any() or n[shown].sum() <= 0:
        return np.nan, int((~shown).sum())
    return float(x[shown].sum() / n[shown].sum() * multiplier), int((~shown).sum())


def released_profile(frame: pd.DataFrame, no_pcn: pd.DataFrame | None = None) -> pd.DataFrame:
    """pcn_profile rows (with each indicator's kind and multiplier) as released: counts released, values and
    intervals from them, the ICB and England values pooled from the released counts of their PCNs and of each
    ICB's practices in no PCN (``no_pcn``: period, indicator, icb_code, numerator, denominator, kind, multiplier;
    closed practices and those of PCNs that did not exist in a year are among them, on today's geography), a
    score's ICB and England values not counts (to two decimals); comparisons redone, figures to two decimals."""
    out = suppression.protect(_small_complement_hidden(frame))
    out["icb_code"] = out.icb_code.astype(object)  # a build whose mapping has no ICB codes: all missing, not numbers
    # protect rounds the ICB and England values; here they are pooled afresh from the released counts.
    x, n = out.numerator.astype(float), out.denominator.astype(float)
    counted = out.kind == "count"
    shown = np.where(counted, x.notna(), x.notna() & n.notna() & (n > 0))
    sums = out.assign(x=x.where(shown), n=n.where(shown), shown=shown, left_out=~shown)
    if no_pcn is not None and len(no_pcn):
        groups = suppression.protect(no_pcn.assign(value=np.nan, lower_95=np.nan, upper_95=np.nan))
        gx, gn = groups.numerator.astype(float), groups.denominator.astype(float)
        given = np.where(groups.kind == "count", gx.notna(), gx.notna() & gn.notna() & (gn > 0))
        # they add to the sums; they are not PCNs, so neither "shown" nor "left out" PCNs
        sums = pd.concat([sums, groups.assign(icb_code=groups.icb_code.astype(object), x=gx.where(given),
                                              n=gn.where(given), shown=False, left_out=False)], ignore_index=True)
    scores = out.kind.isin(suppression.NOT_COUNTS).to_numpy()
    for level, keys in (("icb", ["period", "indicator", "icb_code"]), ("england", ["period", "indicator"])):
        pooled_sums = sums.groupby(keys, dropna=False).agg(x=("x", "sum"), n=("n", "sum"), shown=("shown", "sum"),
                                                             left_out=("left_out", "sum"))
        part = out[keys].merge(pooled_sums.reset_index(), on=keys, how="left")
        ratio = part.x / part.n.where(part.n > 0) * out.multiplier.to_numpy()
        value = np.where(part.shown > 0, np.where(counted, part.x, ratio), np.nan)
        out[f"{level}_value"] = np.where(scores, out[f"{level}_value"], value)
        out[f"{level}_left_out"] = np.where(scores, 0, part.left_out.to_numpy()).astype(int)
    for column, benchmark in (("vs_icb", "icb_value"), ("vs_england", "england_value")):
        compared = stats.compare(out.lower_95, out.upper_95, out[benchmark])
        out[column] = np.where(out[column] == "suppressed", "suppressed", compared)
    for column in ("value", "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value"):
        out[column] = pd.to_numeric(out[column], errors="coerce").round(suppression.DECIMALS)
    return out


def _small_complement_hidden(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the count of a proportion whose complement is 1-7 (a list of 100 with 95 aged 65+ gives 5
    under 65) marked small, so that it is hidden as a count of 1-7 is."""
    complement = frame.denominator - frame.numerator
    small_rest = (frame.kind == "proportion") & complement.ge(1) & complement.lt(suppression.SMALLEST_SHOWN)
    return frame.assign(numerator=frame.numerator.where(~small_rest, 1.0)) if small_rest.any() else frame


def released_practices(frame: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """practice_profile rows (with each indicator's kind and multiplier) as released: counts released (a
    proportion whose complement, the list minus the count, is 1-7 hidden as a count of 1-7 is), with
    secondary suppression among each PCN's practices of the count and of the list (where one practice's is
    hidden, the next smallest is too, so the PCN's released total minus its other practices gives none back); values and intervals
    from the released counts; the PCN's, ICB's and England's values those of the released profile (``profile``:
    released_profile), and each comparison redone from them."""
    # Both counts of a row add up over the PCN's practices (a register, and a list that is also other rows'
    # denominator and the list-size row's count): each gets secondary suppression.
    out = suppression.protect(_small_complement_hidden(frame), groups=["period", "indicator", "pcn_code"],
                              parts=("numerator", "denominator"))
    hidden = ((out.numerator.isna() & frame.numerator.notna())
              | (out.denominator.isna() & frame.denominator.notna()))
    benchmarks = profile[["pcn_code", "period", "indicator", "value", "icb_value", "england_value"]].rename(
        columns={"value": "pcn_value"})
    out = out.drop(columns=["pcn_value", "icb_value", "england_value"]).merge(
        benchmarks, on=["pcn_code", "period", "indicator"], how="left")
    for column, benchmark in (("vs_pcn", "pcn_value"), ("vs_icb", "icb_value"), ("vs_england", "england_value")):
        out[column] = np.where(hidden.to_numpy(), "suppressed",
                               stats.compare(out.lower_95, out.upper_95, out[benchmark]))
    for column in ("value", "lower_95", "upper_95", "lower_998", "upper_998", "pcn_value"):
        out[column] = pd.to_numeric(out[column], errors="coerce").round(suppression.DECIMALS)
    return out[list(frame.columns.drop(["kind", "multiplier"]))]


def _released_prevalence(con) -> pd.DataFrame:
    """Every register of every PCN (the long-term-condition ranking) from released counts: the prevalence, the
    ICB's and England's pooled from the released registers and lists of the PCNs and of each ICB's practices in no
    PCN, the rank among the PCN's registers
    (none where the register is suppressed)."""
    frame = con.execute("SELECT period, pcn_code, icb_code, group_code, register, denominator FROM pcn_prevalence "
                        "JOIN pcn_icb USING (period, pcn_code)").df()
    frame["register"] = suppression.release_counts(frame.register)
    frame["denominator"] = suppression.release_counts(frame.denominator)
    shown = frame.register.notna() & frame.denominator.notna() & (frame.denominator > 0)
    frame["prevalence"] = np.where(shown, frame.register / frame.denominator, np.nan)
    # each ICB's practices in no PCN, released as an area of their own, pool beside the PCNs (as released_profile)
    no_pcn = con.execute("SELECT period, nullif(area_code, '(none)') AS icb_code, group_code, register, denominator "
                         "FROM area_prevalence WHERE level = 'no_pcn'").df()
    for column in ("register", "denominator"):
        no_pcn[column] = suppression.release_counts(no_pcn[column])
    no_pcn = no_pcn[no_pcn.register.notna() & no_pcn.denominator.notna() & (no_pcn.denominator > 0)]
    pooled = pd.concat([frame[shown], no_pcn.assign(icb_code=no_pcn.icb_code.astype(object))], ignore_index=True)
    for level, keys in (("icb", ["period", "icb_code", "group_code"]), ("england", ["period", "group_code"])):
        sums = pooled.groupby(keys)[["register", "denominator"]].sum()
        frame = frame.merge((sums.register / sums.denominator).rename(f"{level}_prevalence").reset_index(),
                            on=keys, how="left")
    frame["ltc_rank"] = frame.groupby(["period", "pcn_code"]).prevalence.rank(method="min", ascending=False)
    for column in ("prevalence", "icb_prevalence", "england_prevalence"):
        frame[column] = frame[column].round(suppression.DECIMALS + 2)  # a share: two decimals as a percentage
    return frame[["period", "pcn_code", "group_code", "register", "denominator", "prevalence", "icb_prevalence",
                  "england_prevalence", "ltc_rank"]]


def _released_need_inputs(con) -> pd.DataFrame:
    """What the need model reads, from released counts (a need worked from exact registers could give a suppressed
    one back under extreme assumptions)."""
    frame = con.execute("SELECT * FROM pcn_need_inputs").df()
    for column in ("list_size", "smi_register", "depression_register", "cmht_rejected", "tt_long_waits",
                   "under_18"):
        frame[column] = suppression.release_counts(frame[column])
    frame["expected_cmd"] = suppression.release_counts(frame.expected_cmd)  # as the profile's denominator
    for column in ("imd_score", "england_imd_score"):
        frame[column] = frame[column].round(suppression.DECIMALS)
    return frame


def _released_population(con) -> pd.DataFrame:
    """Patients by PCN, sex and age band, released, with secondary suppression within each PCN's sex (the bands
    add up to a shown list)."""
    frame = con.execute("SELECT * FROM pcn_population").df()
    return suppression.protect(frame, groups=["period", "pcn_code", "sex"], parts="patients")


QUINTILE_COUNTS = ("q1_patients", "q2_patients", "q3_patients", "q4_patients", "q5_patients")


def _released_deprivation(con) -> pd.DataFrame:
    """Patients by national IMD quintile: each PCN's released (secondary suppression across its quintiles), the
    ICB's and England's the sums of their PCNs' released counts; the scores (not counts) to two decimals."""
    frame = con.execute("""
        SELECT d.*, i.icb_code FROM area_deprivation d
        LEFT JOIN pcn_icb i ON d.level = 'pcn' AND i.period = d.period AND i.pcn_code = d.area_code
        WHERE d.level = 'pcn'""").df()
    # each ICB's practices in no PCN, released as a group of their own: summed into the ICB and England below
    no_pcn = con.execute("""
        SELECT period, area_code, nullif(area_code, '(none)') AS icb_code, * EXCLUDE (level, period, area_code)
        FROM area_deprivation WHERE level = 'no_pcn'""").df()
    frame = pd.concat([frame.assign(kept=True), no_pcn.assign(area_code="no_pcn:" + no_pcn.area_code, kept=False)],
                      ignore_index=True)
    long = frame.melt(id_vars=["period", "area_code"], value_vars=list(QUINTILE_COUNTS), var_name="quintile",
                      value_name="in_quintile").rename(columns={"in_quintile": "patients"})
    long["patients"] = long.patients.fillna(0)
    long = suppression.protect(long, groups=["period", "area_code"], parts="patients")
    wide = long.pivot(index=["period", "area_code"], columns="quintile", values="patients").reindex(
        columns=list(QUINTILE_COUNTS))
    frame = frame.drop(columns=list(QUINTILE_COUNTS)).merge(wide.reset_index(), on=["period", "area_code"],
                                                            how="left")
    frame["patients"] = suppression.release_counts(frame.patients)
    rows = [frame[frame.kept].assign(level="pcn")]
    for level, keys in (("icb", ["period", "icb_code"]), ("england", ["period"])):
        sums = frame.groupby(keys)[[*QUINTILE_COUNTS, "patients"]].sum(min_count=1).reset_index()
        sums["area_code"] = sums.icb_code if level == "icb" else "ENGLAND"
        rows.append(sums.assign(level=level))
    out = pd.concat(rows, ignore_index=True)
    for column in ("imd_score", "imd_rank"):
        if column in out:
            out[column] = out[column].round(suppression.DECIMALS)
    return out[[c for c in frame.columns if c not in ("icb_code", "kept")] + ["level"]].drop_duplicates(
        ["level", "area_code", "period"])


def _released_quintiles(con) -> pd.DataFrame:
    """The inequality view's registers by practice deprivation quintile, for every ICB and England, every period
    and register: each quintile's practices (queries.quintile_counts) summed exactly and released, with secondary
    suppression across the five quintiles of one area."""
    from . import queries

    practices = f"SELECT * FROM ({queries.INEQUALITY_PRACTICES})"
    areas = con.sql(f"""
        SELECT *, 'ICB' AS area, icb_code AS area_code FROM ({practices}) WHERE icb_code IS NOT NULL
        UNION ALL SELECT *, 'England' AS area, 'ENGLAND' AS area_code FROM ({practices})""",
                    params=[None] * 8)
    columns = ["area", "quintile", "practices", "numerator", "denominator", "area_code", "period", "indicator"]
    frame = queries.quintile_counts(areas, ["period", "indicator", "area", "area_code"])[columns]
    frame = frame.assign(kind="proportion", multiplier=100.0, value=np.nan, lower_95=np.nan, upper_95=np.nan)
    frame = suppression.protect(frame, groups=["period", "indicator", "area_code"], parts="numerator")
    frame["denominator"] = frame.denominator.astype(float)
    return frame[columns]


def _released_service_month(con) -> pd.DataFrame:
    """The referral records' monthly counts by PCN, each released (the MHP impact series and its estimates are
    worked from these)."""
    frame = con.execute("SELECT * FROM pcn_service_month").df()
    for column in frame.columns:
        if column not in ("pcn_code", "icb_code", "month"):
            frame[column] = suppression.release_counts(frame[column])
    return frame


# -- At run time: a cursor on the released relations only --------------------------------------------------------

_INSTANCES = database.Instances()  # one released instance per file identity
_MARK = "released_relations_only"
SOURCE = "released_source"


def is_released(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND database_name = "
                            "current_database()", [_MARK]).fetchall()[0][0])


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor that sees only the released relations of the database ``con`` reads (``con`` itself when it is one
    already). Raises NotReleased for a database built before the release layer."""
    if is_released(con):
        return con
    rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    if not rows or not rows[0][0]:
        raise NotReleased("an in-memory database has no released relations")
    return for_path(rows[0][0])


def for_path(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A cursor on the released relations of the database file at ``path`` as it is now (one DuckDB instance per
    file identity, as database.connection)."""
    return _INSTANCES.cursor(str(path), database.database_key(path), lambda: _open(Path(path)))


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # The file under a name of its own that no query writes (tests/test_release.py reads every module's SQL for a
    # qualified name): the queries name relations unqualified, and unqualified names find only the views below.
    con.execute(f"ATTACH ? AS {SOURCE} (READ_ONLY)", [str(path)])
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ?",
        [SOURCE, SCHEMA]).fetchall()]
    if "pcn_profile" not in names:
        con.close()
        raise NotReleased(f"{path.name} was built by an older version of phm-profile and holds no released "
                          "figures; rebuild it (phm-profile build) to show it with suppression on.")
    for name in names:
        con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {SOURCE}.{SCHEMA}."{name}"')
    con.execute(f"CREATE VIEW {_MARK} AS SELECT 1 AS released")
    return con


def releasable(query):
    """A query of counts: with ``suppress`` true it runs on the released relations only (``cursor``), whatever
    connection it was given. Every query function that takes ``suppress`` carries this decorator
    (tests/test_release.py checks it, and the relations each reads)."""
    import functools
    import inspect

    signature = inspect.signature(query)
    assert "suppress" in signature.parameters, f"{query.__name__} takes no suppress flag"

    @functools.wraps(query)
    def run(con, *args, **kwargs):
        bound = signature.bind(con, *args, **kwargs)
        bound.apply_defaults()
        if bound.arguments["suppress"]:
            bound.arguments["con"] = cursor(con)
        return query(*bound.args, **bound.kwargs)

    run.releasable = True
    return run
