"""The SQL models (models.py, sql/): layout, seeds and the dbt-style schema tests."""

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from phm_profile import models
from phm_profile.config import DATA_DIR, SQL_DIR


def test_every_model_file_runs_once_in_the_explicit_order():
    on_disk = {f"{p.parent.name}/{p.stem}" for layer in ("staging", "intermediate", "marts")
               for p in (SQL_DIR / layer).glob("*.sql")}
    listed = models.STAGING + models.MODELS
    assert len(listed) == len(set(listed)) and set(listed) == on_disk
    for name in listed:  # one relation per file, named after it
        text = (SQL_DIR / f"{name}.sql").read_text()
        created = [line.split()[4] for line in text.splitlines() if line.startswith("CREATE OR REPLACE")]
        assert created == [name.split("/")[1]], name
    layers = [name.split("/")[0] for name in listed]
    assert layers == sorted(layers, key=("staging", "intermediate", "marts").index)


def test_a_mart_is_not_read_by_an_earlier_layer():
    marts = {name.split("/")[1] for name in models.MODELS if name.startswith("marts/")}
    for name in models.STAGING + models.MODELS:
        if not name.startswith("marts/"):
            text = (SQL_DIR / f"{name}.sql").read_text()
            assert not any(f" {mart} " in text or f" {mart}\n" in text for mart in marts), name


def test_the_indicator_definitions_are_complete():
    indicators = pd.read_csv(DATA_DIR / "indicators.csv")
    registers = pd.read_csv(DATA_DIR / "qof_registers.csv")
    assert indicators.indicator.is_unique
    assert set("prev_" + registers.group_code.str.lower()) <= set(indicators.indicator)
    # every measure the referral records give has a definition
    from phm_profile.readers import mh_referrals

    for measure in ("tt_referrals", "tt_wait_over_6_weeks", "cmht_referrals", "cmht_referrals_rejected", "mhp_contacts"):
        assert f"'{measure}'" in mh_referrals.AGGREGATE_SQL and f"svc_{measure}" in set(indicators.indicator)
    con = duckdb.connect()
    models.load_seeds(con)
    assert models.test(con, ("indicators", "qof_registers")) == []
    order = con.execute("SELECT indicator FROM indicators ORDER BY sort_order").df().indicator.tolist()
    assert order == indicators.indicator.tolist()  # pages show them in the file's order


def test_the_schema_tests_pass_on_the_demo_and_catch_a_repeated_key(demo_db, tmp_path):
    con = duckdb.connect(str(demo_db), read_only=True)
    assert models.test(con) == []
    con.close()
    copy = tmp_path / "spoilt.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("INSERT INTO pcn_profile SELECT * FROM pcn_profile LIMIT 1")
    con.execute("UPDATE pcn_profile SET vs_england = 'maybe' WHERE indicator = 'prev_mh' AND pcn_code = "
                "(SELECT min(pcn_code) FROM pcn_profile)")
    failures = {(f.table, f.test) for f in models.test(con)}
    assert ("pcn_profile", "unique (pcn_code, period, indicator)") in failures
    assert ("pcn_profile", "accepted_values (vs_england)") in failures
    con.close()


@pytest.mark.parametrize("module", ["queries", "database", "wording", "models", "store", "profile", "exports"])
def test_the_query_layer_runs_without_streamlit(module):
    code = f"import sys, phm_profile.{module}; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
