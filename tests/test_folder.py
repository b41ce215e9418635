"""A folder as the publisher ships it (folder.py, issue 25): sub-folders, zips and .gz files read in place, each
member named after its zip; documents, companion files and files that are no extract skipped with a warning;
a damaged or oversized archive refused by name; and the figures the same as from the files laid out flat."""

import gzip
import shutil
import zipfile

import duckdb
import pytest

from phm_profile import folder, store
from phm_profile.readers import Report


def names(found):
    return [f.name for f in found]


def test_sub_folders_zips_and_gz_are_offered_with_their_names(tmp_path):
    data = tmp_path / "data"
    (data / "qof_raw" / "2024_25").mkdir(parents=True)
    (data / "qof_raw" / "2024_25" / "PREVALENCE_2425.csv").write_text("PRACTICE_CODE\n")
    with zipfile.ZipFile(data / "registrations.zip", "w") as z:
        z.writestr("gp-reg-pat-prac-map.csv", "PRACTICE_CODE\n")
        z.writestr("Guide.pdf", b"%PDF")
        z.writestr("__MACOSX/._gp-reg-pat-prac-map.csv", b"")
        with zipfile.ZipFile(tmp_path / "inner.zip", "w") as inner:
            inner.writestr("inner.csv", "A\n")
        z.write(tmp_path / "inner.zip", "nested/inner.zip")
    with gzip.open(data / "lsoas.geojson.gz", "wb") as fh:
        fh.write(b'{"type": "FeatureCollection", "features": []}')
    (data / "notes.docx").write_bytes(b"PK")
    (data / ".hidden.csv").write_text("x\n")
    (data / "old.duckdb").write_bytes(b"")
    report = Report()
    found = folder.gather(data, tmp_path / "work", report)
    assert sorted(names(found)) == ["lsoas.geojson.gz", "qof_raw/2024_25/PREVALENCE_2425.csv",
                                    "registrations.zip/gp-reg-pat-prac-map.csv",
                                    "registrations.zip/nested/inner.zip/inner.csv"]
    assert all(f.path.exists() for f in found)
    assert next(f for f in found if f.name == "lsoas.geojson.gz").path.read_bytes().startswith(b'{"type"')
    skipped = {w.file: w.message for w in report.warnings}
    assert skipped == {"registrations.zip/Guide.pdf": "skipped: a document (a guide, notes or metadata), not an "
                                                      "extract.",
                       "notes.docx": "skipped: a document (a guide, notes or metadata), not an extract."}
    assert found[1].folders[:1] in (("qof_raw",), ("registrations.zip",), ())


@pytest.mark.parametrize("damage, said", [
    (lambda p: p.write_bytes(p.read_bytes()[:200]), "this zip cannot be read (it may be cut short or damaged"),
    (lambda p: p.write_bytes(b"not a zip"), "this zip cannot be read"),
])
def test_a_damaged_zip_is_refused_by_name(tmp_path, damage, said):
    data = tmp_path / "data"
    data.mkdir()
    with zipfile.ZipFile(data / "extracts.zip", "w") as z:
        z.writestr("PREVALENCE_2324.csv", "PRACTICE_CODE,GROUP_CODE\n" + "A81001,MH\n" * 500)
    damage(data / "extracts.zip")
    report = Report()
    assert folder.gather(data, tmp_path / "work", report) == []
    assert [(e.file, said in e.message) for e in report.errors] == [("extracts.zip", True)]


def test_an_archive_larger_than_the_budget_is_refused(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    with zipfile.ZipFile(data / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("PREVALENCE_2324.csv", "0" * 3_000_000)
    report = Report()
    assert folder.Unpacker(tmp_path / "work", report, max_mb=1).zip(data / "bomb.zip", "bomb.zip") == []
    assert "more than the" in report.errors[0].message and report.errors[0].file == "bomb.zip"


def test_a_zip_holding_one_name_twice_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(data / "twice.zip", "w") as z:
            z.writestr("PREVALENCE_2324.csv", "A\n1\n")
            z.writestr("PREVALENCE_2324.csv", "A\n2\n")
    report = Report()
    assert folder.gather(data, tmp_path / "work", report) == []
    assert "holds PREVALENCE_2324.csv twice" in report.errors[0].message


def test_zips_inside_zips_stop_at_two(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    content = ("x.csv", "A\n")
    for depth in range(4):
        path = tmp_path / f"level{depth}.zip"
        with zipfile.ZipFile(path, "w") as z:
            if depth == 0:
                z.writestr(*content)
            else:
                z.write(tmp_path / f"level{depth - 1}.zip", f"level{depth - 1}.zip")
    shutil.copy(tmp_path / "level3.zip", data / "level3.zip")
    report = Report()
    assert folder.gather(data, tmp_path / "work", report) == []
    assert any("a zip inside 2 zips is not opened" in w.message for w in report.warnings)


def test_the_demo_zipped_in_sub_folders_builds_the_same_profile(demo_dir, demo_db, tmp_path):
    """The demo's extracts as a publisher might ship them: the QOF files in a zip in a year folder, the
    registrations in another zip, the boundaries gzipped; the profile is the same as from the flat folder."""
    data = tmp_path / "shipped"
    (data / "qof" / "2023_24").mkdir(parents=True)
    (data / "registrations").mkdir()
    files = sorted(p for p in demo_dir.iterdir() if p.is_file())
    with zipfile.ZipFile(data / "qof" / "2023_24" / "QOF.zip", "w", zipfile.ZIP_DEFLATED) as qof, \
            zipfile.ZipFile(data / "registrations" / "registrations.zip", "w", zipfile.ZIP_DEFLATED) as reg:
        for path in files:
            if path.name.startswith(("PREVALENCE", "MAPPING", "QOF_LIST")):
                qof.write(path, path.name)
            elif path.name.startswith("gp-reg"):
                reg.write(path, path.name)
            elif path.suffix == ".geojson":
                with open(path, "rb") as src, gzip.open(data / (path.name + ".gz"), "wb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                shutil.copy(path, data / path.name)
    for sub in (p for p in demo_dir.iterdir() if p.is_dir()):
        shutil.copytree(sub, data / sub.name)
    result = store.build(data, tmp_path / "shipped.duckdb")
    assert not result.report.errors
    used = {f.file_name for f in result.files}
    assert "qof/2023_24/QOF.zip/PREVALENCE_2324.csv" in used
    assert "lsoa_boundaries_2011_synthetic.geojson.gz" in used
    # (sums of floats in another order differ in the last bits)
    query = ("SELECT period, pcn_code, indicator, round(numerator, 6), round(denominator, 6), round(value, 9) FROM pcn_profile "
             "ORDER BY ALL")
    shipped = duckdb.connect(str(tmp_path / "shipped.duckdb"), read_only=True).execute(query).fetchall()
    flat = duckdb.connect(str(demo_db), read_only=True).execute(query).fetchall()
    assert shipped == flat and len(flat) > 1000
    summary = "\n".join(result.file_summary())
    assert "qof/2023_24/QOF.zip/PREVALENCE_2324.csv: QOF prevalence by practice" in summary
