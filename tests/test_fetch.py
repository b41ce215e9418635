"""fetch: the publishers' files from a manifest, tested offline against a local HTTP server on 127.0.0.1
serving the real files (a publication page fixture links to a zip of them, with a hash in its path)."""

import csv
import hashlib
import http.server
import io
import json
import subprocess
import sys
import threading
import zipfile
from functools import partial
from pathlib import Path

import duckdb
import pytest
from conftest import REAL, ROOT, needs_real

from phm_profile import fetch, store

pytestmark = needs_real

IMD = "File_1_-_IMD2019_Index_of_Multiple_Deprivation_IMD2019.parquet"


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, with byte ranges (to test resuming), and records the ranges asked for."""

    ranges: list[str] = []

    def log_message(self, *args):
        pass

    def send_head(self):
        wanted = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not wanted or not path.is_file():
            return super().send_head()
        RangeHandler.ranges.append(wanted)
        start = int(wanted.split("=")[1].split("-")[0])
        data = path.read_bytes()
        if start >= len(data):
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        return io.BytesIO(data[start:])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "files" / "0C" / "824E81").mkdir(parents=True)
    with zipfile.ZipFile(root / "files" / "0C" / "824E81" / "QOF_2223_raw_data.zip", "w") as zf:
        for name in ("PREVALENCE_2223.csv", "MAPPING_NHS_GEOGRAPHIES_2223.csv"):
            zf.write(REAL / "qof_raw" / "2022_23" / name, f"QOF_2223/{name}")
        zf.writestr("../../outside.csv", "PRACTICE_CODE\n")  # a hostile member: must stay inside the folder
        zf.writestr("run_me.py", "raise SystemExit('never run')")
    (root / "files" / IMD).write_bytes((REAL / "imd2019" / IMD).read_bytes())
    (root / "qof").mkdir()
    (root / "qof" / "2022-23").write_text(
        '<html><body><h1>Quality and Outcomes Framework 2022-23</h1><ul>'
        '<li><a href="/files/0C/824E81/QOF_2223_raw_data.zip">QOF 2022-23 raw data [zip]</a></li>'
        '<li><a href="https://example.invalid/other.pdf">Summary (PDF)</a></li></ul></body></html>')
    (root / "registrations").mkdir()
    (root / "registrations" / "april-2023").write_text("<html><body>No files here</body></html>")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(RangeHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    manifest = root / "publications.csv"
    with open(manifest, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["dataset", "period", "page_url", "file_url", "link_pattern", "licence", "notes"])
        w.writerow(["qof", "*", base + "/qof/{start}-{end_yy}", "", r"raw[ _-]?data.*\.zip", "OGL v3", ""])
        w.writerow(["imd", "*", base + "/imd", base + f"/files/{IMD}", "", "OGL v3", ""])
        w.writerow(["registrations", "*", base + "/registrations/{april_end}", "", "gp-reg-pat-prac", "OGL v3", ""])
        w.writerow(["epraccur", "*", base + "/ods", base + "/files/epraccur.zip", "", "OGL v3", ""])
    yield base, manifest
    server.shutdown()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fetch_finds_links_downloads_unpacks_and_records(site, tmp_path):
    base, manifest = site
    out = tmp_path / "out"
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    names = {f.path.name for f in fetched}
    assert {"PREVALENCE_2223.csv", "MAPPING_NHS_GEOGRAPHIES_2223.csv", IMD} <= names
    assert not (out / "run_me.py").exists() and not (tmp_path / "outside.csv").exists()
    (out / "outside.csv").unlink()  # the hostile member landed inside the folder; not a real extract
    assert sha(out / "PREVALENCE_2223.csv") == sha(REAL / "qof_raw" / "2022_23" / "PREVALENCE_2223.csv")
    # What could not be fetched is named, with the page to get it from by hand.
    assert any(f.startswith("registrations 2022-23: no link matching 'gp-reg-pat-prac'") and
               f"{base}/registrations/april-2023" in f for f in failures)
    assert any(f.startswith("epraccur 2022-23: could not be downloaded") and f"{base}/ods" in f for f in failures)
    record = {r["file"]: r for r in json.loads((out / "fetched.json").read_text())}
    assert record[IMD]["sha256"] == sha(REAL / "imd2019" / IMD)
    assert int(record[IMD]["bytes"]) == (REAL / "imd2019" / IMD).stat().st_size
    # Then build, as the README says: the fetched files load as published.
    result = store.build(out, tmp_path / "fetched.duckdb")
    con = duckdb.connect(str(tmp_path / "fetched.duckdb"), read_only=True)
    assert con.execute("SELECT register, denominator FROM area_prevalence WHERE level = 'england' "
                       "AND group_code = 'MH'").fetchall() == [(621_898, 62_378_057)]
    con.close()
    assert not result.report.errors


def test_a_broken_download_resumes(site, tmp_path):
    base, manifest = site
    out = tmp_path / "out"
    out.mkdir()
    whole = (REAL / "imd2019" / IMD).read_bytes()
    (out / f"{IMD}.part").write_bytes(whole[:100_000])
    RangeHandler.ranges.clear()
    fetched, _ = fetch.fetch("2022-23", out, {"imd"}, manifest=manifest, progress=False)
    assert RangeHandler.ranges == ["bytes=100000-"]
    assert (out / IMD).read_bytes() == whole and not (out / f"{IMD}.part").exists()


def test_offline_says_which_dataset_and_where_to_get_it(tmp_path):
    manifest = tmp_path / "publications.csv"
    manifest.write_text("dataset,period,page_url,file_url,link_pattern,licence,notes\n"
                        "imd,*,https://www.gov.uk/imd-page,http://127.0.0.1:9/File_7.csv,,OGL,\n")
    run = subprocess.run([sys.executable, "-m", "phm_profile", "fetch", "--year", "2023-24", "--out",
                          str(tmp_path / "out"), "--manifest", str(manifest)],
                         capture_output=True, text=True, cwd=ROOT, env={
                                                                         "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1
    assert "NOT FETCHED imd 2023-24: could not be downloaded (ConnectionError). Download it by hand from " \
           "https://www.gov.uk/imd-page" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_the_shipped_manifest_covers_every_dataset_for_any_year():
    rows = fetch.publications_for(fetch.read_manifest(), "2023-24", None)
    assert {r.dataset for r in rows} == {"qof", "registrations", "imd", "epcn", "epraccur"}
    qof = next(r for r in rows if r.dataset == "qof")
    assert fetch.fill(qof.page_url, "2023-24").endswith("exceptions-data/2023-24")
    registrations = next(r for r in rows if r.dataset == "registrations")
    assert fetch.fill(registrations.page_url, "2023-24").endswith("/april-2024")
    with pytest.raises(ValueError):
        fetch.fetch("2023/24", Path("/tmp/never"))
