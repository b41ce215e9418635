"""The release layer (release.py): with suppression on, every figure is computed from released counts only.

Three proofs. Structure: every query that takes ``suppress`` runs, with it on, on a DuckDB instance in which only
the released relations exist (the exact connection it was given is never touched). Invariance: two databases whose
exact counts differ only below what is released (a suppressed 3 against a 6; 1,011 against 1,012, both released
as 1,010) give every query's figures identical. Attacks: least squares over the funnel baselines and similar PCNs'
shares times their lists recover nothing that is not released."""

import inspect
from pathlib import Path
import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from phm_profile import impact, queries, release, store

PERIOD = "2023-24"
PCN = "U90001"


def _variant(demo_dir, tmp_path_factory, name: str, registers: list[int]) -> str:
    """The demo with PCN U90001's SMI registers of 2023-24 set practice by practice to ``registers`` (others 0)."""
    folder = tmp_path_factory.mktemp(name)
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    mapping = pd.read_csv(folder / "MAPPING_NHS_GEOGRAPHIES_2023_2024.csv", dtype=str)
    practices = list(mapping.loc[mapping.PCN_ODS_CODE == PCN, "PRACTICE_CODE"])
    prevalence = pd.read_csv(folder / "PREVALENCE_2324.csv", dtype={"REGISTER": "Int64"})
    mh = prevalence.index[(prevalence.GROUP_CODE == "MH") & prevalence.PRACTICE_CODE.isin(practices)]
    prevalence.loc[mh, "REGISTER"] = 0
    prevalence.loc[mh[:len(registers)], "REGISTER"] = registers
    prevalence.to_csv(folder / "PREVALENCE_2324.csv", index=False)
    db = folder / f"{name}.duckdb"
    store.build(folder, db)
    return str(db)


@pytest.fixture(scope="module")
def three(demo_dir, tmp_path_factory):
    return _variant(demo_dir, tmp_path_factory, "three", [1, 1, 1])


@pytest.fixture(scope="module")
def six(demo_dir, tmp_path_factory):
    return _variant(demo_dir, tmp_path_factory, "six", [2, 2, 2])


def _icb(db: str) -> str:
    con = duckdb.connect(db, read_only=True)
    icb = con.execute("SELECT icb_code FROM pcn_icb WHERE pcn_code = ? AND period = ?", [PCN, PERIOD]).fetchall()
    con.close()
    return icb[0][0]


def _calls(db: str):
    """Every query of counts, called as the pages call it (name, function, arguments after the connection)."""
    icb = _icb(db)
    con = duckdb.connect(db, read_only=True)
    similar = tuple(queries.similar_pcns(con, PERIOD, PCN, True).pcn_code)
    con.close()
    group = (PCN, *similar)
    return [
        ("pcn_profile", queries.pcn_profile, (PCN, PERIOD)),
        ("indicator_across_pcns", queries.indicator_across_pcns, (icb, PERIOD, "prev_mh")),
        ("indicator_across_pcns (similar)", lambda c, s: queries.indicator_across_pcns(c, icb, PERIOD, "prev_mh", s,
                                                                                       group), ()),
        ("funnel_limits", queries.funnel_limits, (icb, PERIOD, "prev_mh")),
        ("funnel_limits (similar)", lambda c, s: queries.funnel_limits(c, icb, PERIOD, "prev_mh", s, group), ()),
        ("england_range", queries.england_range, (PERIOD,)),
        ("pcn_map", lambda c, s: queries.pcn_map(c, icb, PERIOD, "prev_mh", s)[1], ()),
        ("context_measures", queries.context_measures, (icb, PCN, PERIOD)),
        ("age_pyramid", queries.age_pyramid, (PCN, PERIOD)),
        ("imd_quintiles", queries.imd_quintiles, (PCN, icb, PERIOD)),
        ("ltc_ranks", queries.ltc_ranks, (PCN, PERIOD)),
        ("trends", queries.trends, (PCN, ("prev_mh", "prev_dep"))),
        ("two_indicators", queries.two_indicators, (icb, PERIOD, "prev_mh", "prev_dep")),
        ("workforce_inputs", queries.workforce_inputs, (icb, PERIOD)),
        ("overview_grid", queries.overview_grid, (PERIOD, icb)),
        ("overview_grid (England)", lambda c, s: queries.overview_grid(c, PERIOD, None, s), ()),
        ("similar_pcns", queries.similar_pcns, (PERIOD, PCN)),
        ("similar_values", queries.similar_values, (PERIOD, group)),
        ("recent_trends", queries.recent_trends, (PCN, PERIOD)),
        ("impact.monthly", impact.monthly, ()),
        ("sources", lambda c, s: queries.sources(c, s).drop(columns=["loaded_at", "checksum_sha256"]), ()),
    ]


def _run(function, con, args, suppress=True):
    if "suppress" in inspect.signature(function).parameters:
        return function(con, *args, suppress=suppress)
    return function(con, suppress)


def test_every_query_of_counts_is_releasable():
    """A query that takes ``suppress`` and forgot the release layer would read the exact tables."""
    for module in (queries, impact):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and "suppress" in inspect.signature(function).parameters:
                if name.startswith("_") or module is impact and name in (
                        "difference_in_differences", "event_series"):  # work on frames, not a connection
                    continue
                assert getattr(function, "releasable", False), f"{module.__name__}.{name} is not @releasable"


class _Exact:
    """An exact connection no released query may touch: any use is an error."""

    def __getattr__(self, name):
        raise AssertionError(f"a query under suppression used the exact connection ({name})")


def test_with_suppression_on_a_query_reads_only_released_relations(three, monkeypatch):
    released = release.for_path(three)
    seen = []
    monkeypatch.setattr(release, "cursor", lambda con: seen.append(con) or released)
    for name, function, args in _calls(three):
        seen.clear()
        _run(function, _Exact(), args)  # the exact connection would raise if it were read
        assert seen, name
    # What that instance can name: views of the file's released schema, and nothing else.
    relations = released.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal "
                                 "AND database_name = current_database()").fetchall()
    assert {"pcn_profile", "pcn_need_inputs", "pcn_population", "inequality_quintiles"} <= {r[0] for r in relations}
    assert all(f"{release.SOURCE}.{release.SCHEMA}." in sql or name == "released_relations_only"
               for name, sql in relations)
    assert not released.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
                                ).fetchall()[0][0]
    for exact in ("practice_prevalence", "area_prevalence", "area_indicator", "practice_deprivation", "service_month"):
        with pytest.raises(duckdb.CatalogException):
            released.execute(f"SELECT * FROM {exact}")
    # The pass-through relations hold no patient counts.
    counts = {"register", "numerator", "denominator", "patients", "list_size", "scored_patients", "icb_patients",
              "icb_practices", "weighted_score", "under_18", "cmht_referrals"}
    for name in release.PASS_THROUGH:
        if name in {r[0] for r in relations}:
            columns = {r[0] for r in released.execute(f'DESCRIBE "{name}"').fetchall()}
            assert not columns & counts, (name, columns & counts)


def test_no_module_names_a_relation_with_its_catalog_or_schema():
    """No SQL in the package escapes the layer by naming a relation with its catalog or schema (the released cursor
    attaches the file as release.SOURCE; only release.py, which writes the layer, and the build name schemas)."""
    import ast
    import re
    from pathlib import Path as _Path

    package = _Path(queries.__file__).parent
    qualified = re.compile(rf"\b(profile|main|build|released|{release.SOURCE})\.[a-z_\"]+")
    texts = {path.name: [path.read_text()] for path in package.rglob("sql/**/*.sql")}
    for path in [*package.glob("*.py"), *package.glob("readers/*.py")]:
        if path.name in ("release.py", "store.py", "database.py", "models.py"):
            continue
        texts[path.name] = [node.value for node in ast.walk(ast.parse(path.read_text()))
                            if isinstance(node, ast.Constant) and isinstance(node.value, str)
                            and re.search(r"\b(FROM|JOIN)\b", node.value)]
    assert len(texts["queries.py"]) > 20
    for name, sqls in texts.items():
        found = [m.group(0) for sql in sqls for m in qualified.finditer(sql)]
        assert not found, (name, found)


def _same(a, b) -> bool:
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, pd.DataFrame):  # the same rows (in whatever order: an order is not a figure)
        def rows(frame):
            return frame.sort_values(list(frame.columns), key=lambda c: c.astype(str)).reset_index(drop=True)
        pd.testing.assert_frame_equal(rows(a), rows(b), check_dtype=False)
        return True
    return a == b


def test_a_suppressed_count_changes_nothing_released(three, six):
    """U90001's SMI register 3 or 6: with suppression on every figure of every query is the same; without, they
    differ (the change is there to be found)."""
    first, second = duckdb.connect(three, read_only=True), duckdb.connect(six, read_only=True)
    differs = 0
    for name, function, args in _calls(three):
        released = (_run(function, first, args), _run(function, second, args))
        assert _same(*released), name
        exact = (_run(function, first, args, False), _run(function, second, args, False))
        try:
            differs += not _same(*exact)
        except AssertionError:
            differs += 1
    assert differs >= 5
    # And the inequality view: its quintiles summed from the practices exactly, then released.
    icb = _icb(three)
    for con in (first, second):
        quintiles, sii = queries.inequality(con, icb, PERIOD, "prev_mh", True)
        assert (quintiles.numerator.dropna() % 5 == 0).all() and sii.sii.round(2).equals(sii.sii)


def test_counts_within_one_release_give_identical_figures(demo_dir, tmp_path_factory):
    """1,011 and 1,012 patients on a register are both released as 1,010: exact shares would tell them apart."""
    first = _variant(demo_dir, tmp_path_factory, "r1011", [1011])
    second = _variant(demo_dir, tmp_path_factory, "r1012", [1012])
    a, b = duckdb.connect(first, read_only=True), duckdb.connect(second, read_only=True)
    for name, function, args in _calls(first):
        if name.startswith(("similar", "indicator_across_pcns (similar)", "funnel_limits (similar)")):
            continue  # the similar PCNs are chosen by the PCN's drivers, the same in both; their figures below
        assert _same(_run(function, a, args), _run(function, b, args)), name


def test_pooled_values_are_sums_of_released_counts_with_suppressed_areas_left_out(three):
    con = duckdb.connect(three, read_only=True)
    icb = _icb(three)
    table = queries.indicator_across_pcns(con, icb, PERIOD, "prev_mh", True)
    assert table.loc[table.pcn_code == PCN, "numerator"].isna().all()
    shown = table.dropna(subset=["numerator", "denominator"])
    expected = round(shown.numerator.sum() / shown.denominator.sum() * 100, 2)
    assert (table.icb_value == expected).all()
    left_out = release.cursor(con).execute(
        "SELECT DISTINCT icb_left_out FROM pcn_profile WHERE icb_code = ? AND period = ? AND indicator = 'prev_mh'",
        [icb, PERIOD]).fetchall()
    assert left_out == [(1,)]  # U90001, and the page can say so
    limits = queries.funnel_limits(con, icb, PERIOD, "prev_mh", True)
    baseline = limits[limits.line == "baseline"].y.unique()
    assert list(baseline) == [expected]  # the funnel's centre line: the pooled released value, to two decimals


def test_least_squares_over_the_funnel_baselines_recovers_no_exact_count(three):
    """The attack of issue 24: every baseline (the ICB's, and each PCN's with its 10 similar PCNs) times the sum of
    the group's released lists is a group sum; solved together for every PCN's register. With the release layer it
    gives back the released counts at best, never an exact count that was rounded away or suppressed."""
    con = duckdb.connect(three, read_only=True)
    icb = _icb(three)
    exact = con.execute("SELECT pcn_code, numerator FROM pcn_profile WHERE period = ? AND indicator = 'prev_mh'",
                        [PERIOD]).df().set_index("pcn_code").numerator
    released = queries.indicator_across_pcns(con, icb, PERIOD, "prev_mh", True).set_index("pcn_code")
    codes = list(exact.index)
    rows, sums = [], []
    groups = [tuple(released.index)] + [
        (code, *queries.similar_pcns(con, PERIOD, code, True).pcn_code) for code in released.index]
    for group in groups:
        table = queries.indicator_across_pcns(con, icb, PERIOD, "prev_mh", True, None if group == groups[0] else group)
        rows.append([1.0 if c in group else 0.0 for c in codes])
        sums.append(table.icb_value.iloc[0] / 100 * table.denominator.sum())
    solution, *_ = np.linalg.lstsq(np.array(rows), np.array(sums), rcond=None)
    found = pd.Series(solution, index=codes)
    assert round(found[PCN]) != exact[PCN]  # the suppressed 3 is not recovered
    unrounded = [c for c in released.index if exact[c] % 5 and c != PCN]
    assert unrounded and not any(abs(found[c] - exact[c]) < 0.5 for c in unrounded)


def test_similar_pcns_shares_times_lists_give_back_only_released_counts(three):
    con = duckdb.connect(three, read_only=True)
    similar = queries.similar_pcns(con, PERIOD, PCN, True)
    profile = release.cursor(con).execute(
        "SELECT pcn_code, indicator, numerator, denominator FROM pcn_profile WHERE period = ?", [PERIOD]).df()
    q1 = profile[profile.indicator == "imd_q1_share"].set_index("pcn_code")
    for row in similar.itertuples():
        assert row.list_size % 5 == 0
        assert row.imd_q1_share == round(q1.numerator[row.pcn_code] / q1.denominator[row.pcn_code] * 100, 2)
        assert row.distance == round(row.distance, 2)


def test_quintiles_of_every_area_at_once_match_phe_quantile_area_by_area():
    """queries.quintile_counts puts every ICB and England in quintiles at once; each area's quintiles are
    stats.quantiles' (phe_quantile, checked against OHID's vectors in test_inequality.py), ties included."""
    from phm_profile import stats

    rng = np.random.default_rng(7)
    practices = pd.DataFrame({"period": "2023-24", "indicator": "prev_mh", "practice_code": [f"P{i}" for i in range(61)],
                              "icb_code": rng.choice(["QA1", "QB2", "QC3"], 61),
                              "imd_score": rng.integers(5, 40, 61).astype(float), "imd_rank": np.nan,
                              "numerator": rng.integers(0, 90, 61), "denominator": rng.integers(2000, 9000, 61)})
    together = queries.quintile_counts(practices, ["icb_code"])
    for icb, part in practices.groupby("icb_code"):
        q = stats.quantiles(part.imd_score, 5, invert=True)
        expected = part.assign(quintile=q).groupby("quintile").agg(practices=("practice_code", "size"),
                                                                   numerator=("numerator", "sum"))
        got = together[together.icb_code == icb].set_index("quintile")
        assert got.practices.tolist() == expected.practices.tolist()
        assert got.numerator.tolist() == expected.numerator.tolist()


def test_a_database_built_before_the_release_layer_is_named_not_shown(three, tmp_path, monkeypatch):
    """An older build has no released figures: with suppression on, the page says to rebuild it (never a
    traceback, never the exact figures)."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    old = tmp_path / "old.duckdb"
    shutil.copy(three, old)
    con = duckdb.connect(str(old))
    con.execute(f"DROP SCHEMA {release.SCHEMA} CASCADE")
    con.close()
    with pytest.raises(release.NotReleased, match="rebuild it"):
        release.for_path(old)
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", old)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: old)
    at = AppTest.from_file(str(ROOT / "pages" / "1_PCN_profile.py"), default_timeout=60).run()
    assert not at.exception and any("older version" in e.value and "rebuild" in e.value for e in at.error)


def test_a_shared_server_keeps_suppression_on_for_everyone(three, monkeypatch):
    """PHM_SUPPRESSION=always: the Data page's switch is disabled, and a session that had switched it off is
    suppressed all the same."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr("phm_profile.config.SUPPRESSION_LOCKED", True)
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", Path(three))
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: Path(three))
    at = AppTest.from_file(str(ROOT / "pages" / "3_Data_and_methods.py"), default_timeout=60)
    at.session_state["_suppress"] = False
    at.run()
    toggle = at.toggle(key="suppress_toggle")
    assert toggle.value is True and toggle.disabled
    assert any("PHM_SUPPRESSION=always" in c.value for c in at.caption)
    assert any("suppression" in c.value.lower() and "on" in c.value for c in at.sidebar.caption)
