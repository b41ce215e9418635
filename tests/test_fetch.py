"""fetch: the publishers' files from a manifest, tested offline against local HTTP servers on 127.0.0.1: one
serving the real files (a publication page fixture links to a zip of them, with a hash in its path), and a
publisher held in memory (``publisher``) that breaks the ways real servers and archives do: a download cut off,
a file changed between two attempts, a byte every half second, a damaged, encrypted, Deflate64 or oversized zip,
a link named like the record."""

import csv
import hashlib
import http.server
import io
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zipfile
from functools import partial
from pathlib import Path

import duckdb
import pytest
from conftest import REAL, ROOT, needs_real

from phm_profile import fetch, store

IMD = "File_1_-_IMD2019_Index_of_Multiple_Deprivation_IMD2019.parquet"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


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
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
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


@needs_real
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


# A publisher that breaks the ways real ones do -------------------------------------------------------------------


def etag_of(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


class PublisherHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` (path -> bytes) with an ETag each, and byte ranges as RFC 9110 says (If-Range: a
    range of the same file only, else the whole file). Its quirks: ``cut_after`` (path -> bytes sent before it
    hangs up), ``trickle`` (paths sent a byte every half second), ``etags`` False (no validator at all),
    ``honours_if_range`` False (ranges served whatever the If-Range, as some servers do). It records each request
    as (path, Range, If-Range) in ``asked``."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server
        srv.asked.append((self.path, self.headers.get("Range"), self.headers.get("If-Range")))
        data = srv.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        wanted, if_range = self.headers.get("Range"), self.headers.get("If-Range")
        if wanted and (if_range in (None, etag_of(data)) or not srv.honours_if_range):
            start = int(wanted.split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            body = data[start:]
        else:
            self.send_response(200)
            body = data
        if srv.etags:
            self.send_header("ETag", etag_of(data))
        self.send_header("Content-Type", "text/html; charset=utf-8" if self.path.startswith("/pages/")
                         else "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if self.path in srv.trickle:
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
            else:
                self.wfile.write(body[:srv.cut_after.get(self.path, len(body))])
        except OSError:  # the client gave up
            pass


@pytest.fixture
def publisher():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PublisherHandler)
    server.files, server.asked, server.cut_after, server.trickle = {}, [], {}, set()
    server.etags, server.honours_if_range = True, True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def manifest_for(tmp_path: Path, server, *rows) -> Path:
    """A manifest of (dataset, the file's path on ``server`` or '', the link's pattern or '') rows; each dataset's
    publication page is /pages/<dataset>."""
    path = tmp_path / "publications.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["dataset", "period", "page_url", "file_url", "link_pattern", "licence", "notes"])
        for dataset, file_path, pattern in rows:
            w.writerow([dataset, "*", f"{server.base}/pages/{dataset}", server.base + file_path if file_path else "",
                        pattern, "OGL v3", ""])
    return path


def records(out: Path) -> list[dict]:
    return json.loads((out / "fetched.json").read_text())


def by_file(out: Path) -> dict[str, dict]:
    return {r["file"]: r for r in records(out)}


def run_cli(*args) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "phm_profile", "fetch", "--year", "2022-23", *map(str, args)],
                         capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert "Traceback" not in run.stdout + run.stderr
    return run


def not_fetched(run: subprocess.CompletedProcess) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("NOT FETCHED")]


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def patched(data: bytes, member: str, *, flip: bool = False, flag: int = 0, method: int | None = None,
            size: int | None = None) -> bytes:
    """The zip ``data`` with one member spoilt: a byte of its compressed data flipped, a flag bit set (0x1:
    encrypted), its compression method (9: Deflate64) or its declared size changed, in both its local header and
    its entry in the central directory (the one zipfile believes)."""
    buf = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    local = info.header_offset
    central = buf.find(b"PK\x01\x02")
    while buf[central + 46:central + 46 + struct.unpack_from("<H", buf, central + 28)[0]] != member.encode():
        central = buf.find(b"PK\x01\x02", central + 1)
    if flip:
        name_len, extra_len = struct.unpack_from("<HH", buf, local + 26)
        buf[local + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    for header, at in ((local, 6), (central, 8)):  # the flag bits, then the method, sizes follow
        struct.pack_into("<H", buf, header + at, info.flag_bits | flag)
        if method is not None:
            struct.pack_into("<H", buf, header + at + 2, method)
        if size is not None:
            struct.pack_into("<I", buf, header + at + 16, size)
    return bytes(buf)


IMD_CSV = b"LSOA_CODE,IMD_DECILE\nE01000001,9\n"


def test_a_broken_download_resumes_where_it_stopped(publisher, tmp_path):
    whole = os.urandom(300_000)
    publisher.files["/files/IMD.parquet"] = whole
    publisher.cut_after["/files/IMD.parquet"] = 100_000
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.parquet", ""))
    out = tmp_path / "out"
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert fetched == [] and len(failures) == 1
    assert failures[0].startswith("imd 2022-23: could not be downloaded") and "\n" not in failures[0]
    assert (out / "IMD.parquet.part").read_bytes() == whole[:100_000] and not (out / "IMD.parquet").exists()
    assert (out / "IMD.parquet.part.json").exists()  # the server's validator, for the next attempt's If-Range
    publisher.cut_after.clear()
    publisher.asked.clear()
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert failures == []
    assert publisher.asked == [("/files/IMD.parquet", "bytes=100000-", etag_of(whole))]
    assert (out / "IMD.parquet").read_bytes() == whole
    assert sorted(os.listdir(out)) == ["IMD.parquet", "fetched.json"]
    assert by_file(out)["IMD.parquet"]["sha256"] == hashlib.sha256(whole).hexdigest()


@pytest.mark.parametrize("honours_if_range", [True, False], ids=["honours-if-range", "ignores-if-range"])
def test_a_file_changed_since_the_broken_download_is_fetched_again_whole(publisher, tmp_path, honours_if_range):
    old, new = os.urandom(300_000), os.urandom(300_000)  # one length: only the validator tells them apart
    publisher.files["/files/IMD.parquet"] = old
    publisher.cut_after["/files/IMD.parquet"] = 100_000
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.parquet", ""))
    out = tmp_path / "out"
    fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert (out / "IMD.parquet.part").read_bytes() == old[:100_000]
    publisher.files["/files/IMD.parquet"] = new
    publisher.cut_after.clear()
    publisher.honours_if_range = honours_if_range
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert failures == []
    assert (out / "IMD.parquet").read_bytes() == new  # never the old file's start spliced to the new one's end
    assert by_file(out)["IMD.parquet"]["sha256"] == hashlib.sha256(new).hexdigest()
    assert sorted(os.listdir(out)) == ["IMD.parquet", "fetched.json"]


def test_a_416_never_passes_half_a_file_off_as_whole(publisher, tmp_path):
    old, new = os.urandom(200_000), os.urandom(50_000)
    publisher.files["/files/IMD.parquet"] = old
    publisher.cut_after["/files/IMD.parquet"] = 100_000
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.parquet", ""))
    out = tmp_path / "out"
    fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    # The file is now shorter than the part, and the server answers the range without looking at If-Range: 416.
    publisher.files["/files/IMD.parquet"] = new
    publisher.cut_after.clear()
    publisher.honours_if_range = False
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert failures == []
    assert (out / "IMD.parquet").read_bytes() == new
    assert [f.size for f in fetched] == [50_000]


def test_a_part_already_whole_of_the_same_file_is_kept_on_a_416(publisher, tmp_path, monkeypatch):
    whole = os.urandom(100_000)
    publisher.files["/files/IMD.parquet"] = whole
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.parquet", ""))
    out = tmp_path / "out"
    replace = os.replace

    def interrupted(src, dst):  # stopped between the last byte and the part's move into place
        if str(src).endswith(".part"):
            raise OSError("interrupted")
        replace(src, dst)

    monkeypatch.setattr(fetch.os, "replace", interrupted)
    assert fetch.fetch("2022-23", out, manifest=manifest, progress=False)[0] == []
    monkeypatch.setattr(fetch.os, "replace", replace)
    publisher.asked.clear()
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert failures == [] and publisher.asked == [("/files/IMD.parquet", "bytes=100000-", etag_of(whole))]
    assert (out / "IMD.parquet").read_bytes() == whole and sorted(os.listdir(out)) == ["IMD.parquet", "fetched.json"]


def test_without_a_validator_a_broken_download_starts_again(publisher, tmp_path):
    whole = os.urandom(300_000)
    publisher.files["/files/IMD.parquet"] = whole
    publisher.cut_after["/files/IMD.parquet"] = 100_000
    publisher.etags = False
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.parquet", ""))
    out = tmp_path / "out"
    fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    publisher.cut_after.clear()
    publisher.asked.clear()
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert failures == [] and publisher.asked == [("/files/IMD.parquet", None, None)]
    assert (out / "IMD.parquet").read_bytes() == whole


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
def test_a_damaged_member_leaves_the_files_already_there_and_their_record(publisher, tmp_path, compression):
    first = {"QOF_2223/PREVALENCE_2223.csv": b"PRACTICE_CODE,REGISTER\n" + b"A81001,12\n" * 5000,
             "QOF_2223/MAPPING_2223.csv": b"PRACTICE_CODE,PCN_CODE\n" + b"A81001,U00001\n" * 5000}
    publisher.files["/pages/qof"] = b'<a href="/files/QOF_2223_raw_data.zip">raw data</a>'
    publisher.files["/files/QOF_2223_raw_data.zip"] = zip_of(first, compression)
    publisher.files["/files/IMD.csv"] = IMD_CSV
    manifest = manifest_for(tmp_path, publisher, ("qof", "", "raw data"), ("imd", "/files/IMD.csv", ""))
    out = tmp_path / "out"
    assert fetch.fetch("2022-23", out, manifest=manifest, progress=False)[1] == []
    before = {name: (out / name).read_bytes() for name in ("PREVALENCE_2223.csv", "MAPPING_2223.csv")}
    recorded = by_file(out)
    # A newer version, its second member damaged in transit.
    second = {name: data + b"A81002,7\n" for name, data in first.items()}
    publisher.files["/files/QOF_2223_raw_data.zip"] = patched(zip_of(second, compression),
                                                              "QOF_2223/MAPPING_2223.csv", flip=True)
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert [f.path.name for f in fetched] == ["IMD.csv"]  # the other dataset still fetched
    assert len(failures) == 1 and "\n" not in failures[0]
    assert failures[0].startswith("qof 2022-23: MAPPING_2223.csv inside QOF_2223_raw_data.zip could not be unpacked")
    assert f"Download it by hand from {publisher.base}/pages/qof" in failures[0]
    # Neither member replaced (the dataset stays one version), no temporary file or zip left behind.
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(os.listdir(out)) == ["IMD.csv", "MAPPING_2223.csv", "PREVALENCE_2223.csv", "fetched.json"]
    # The record still describes the files in the folder, one entry each.
    after = by_file(out)
    assert {f: r["sha256"] for f, r in after.items()} == {f: r["sha256"] for f, r in recorded.items()}
    assert len(records(out)) == len(after)
    assert after["MAPPING_2223.csv"]["sha256"] == sha(out / "MAPPING_2223.csv")


def test_two_files_of_one_name_are_refused_not_overwritten(publisher, tmp_path):
    publisher.files["/files/IMD.csv"] = IMD_CSV
    publisher.files["/files/qof.zip"] = zip_of({"2022/PREVALENCE.csv": b"A\n1\n", "2023/PREVALENCE.csv": b"A\n2\n"})
    publisher.files["/files/epcn.zip"] = zip_of({"tables/imd.csv": b"LSOA_CODE,IMD_DECILE\nE01000001,1\n"})
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.csv", ""), ("qof", "/files/qof.zip", ""),
                            ("epcn", "/files/epcn.zip", ""))
    out = tmp_path / "out"
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert [f.path.name for f in fetched] == ["IMD.csv"]
    assert failures[0].startswith("qof 2022-23: qof.zip holds two files named PREVALENCE.csv "
                                  "(2022/PREVALENCE.csv, 2023/PREVALENCE.csv); none of its files was unpacked")
    assert failures[1].startswith("epcn 2022-23: imd.csv inside epcn.zip would overwrite IMD.csv, fetched for imd")
    assert len(failures) == 2
    assert (out / "IMD.csv").read_bytes() == IMD_CSV
    assert sorted(os.listdir(out)) == ["IMD.csv", "fetched.json"]
    assert [(r["file"], r["sha256"]) for r in records(out)] == [("IMD.csv", sha(out / "IMD.csv"))]
    # On a later run the record says whose the file is.
    fetched, failures = fetch.fetch("2022-23", out, {"epcn"}, manifest=manifest, progress=False)
    assert fetched == [] and len(failures) == 1
    assert failures[0].startswith("epcn 2022-23: imd.csv inside epcn.zip would overwrite IMD.csv, fetched for imd")
    assert (out / "IMD.csv").read_bytes() == IMD_CSV


@pytest.mark.parametrize("url", ["http://host/files/fetched.json", "http://host/files/Fetched.JSON",
                                 "http://host/files/..", "http://host/files/.", "http://host/files/.env",
                                 "http://host/files/", "http://host"])
def test_a_download_is_never_named_like_the_record_hidden_or_outside_the_folder(url):
    with pytest.raises(fetch.Unusable):
        fetch.output_name(url)
    assert fetch.output_name("http://host/a/b/QOF_2223.zip?x=1") == "QOF_2223.zip"


def test_a_link_named_fetched_json_never_replaces_the_record(publisher, tmp_path):
    publisher.files["/files/IMD.csv"] = IMD_CSV
    publisher.files["/x/fetched.json"] = b'{"mine": "now"}'
    publisher.files["/pages/qof"] = b'<a href="/x/fetched.json">raw data</a>'
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.csv", ""), ("qof", "", "raw data"),
                            ("epcn", "/x/fetched.json", ""))
    out = tmp_path / "out"
    run = run_cli("--out", out, "--manifest", manifest)
    assert run.returncode == 1
    assert not_fetched(run) == [
        f"NOT FETCHED {dataset} 2022-23: {publisher.base}/x/fetched.json was not downloaded: its name is that of "
        f"fetch's own record (fetched.json). Download it by hand from {publisher.base}/pages/{dataset} and put the "
        "file in the output folder (or correct its row in data/publications.csv)." for dataset in ("qof", "epcn")]
    assert [(r["dataset"], r["file"], r["sha256"]) for r in records(out)] == [("imd", "IMD.csv", sha(out / "IMD.csv"))]
    assert [path for path, _, _ in publisher.asked] == ["/files/IMD.csv", "/pages/qof"]  # never even asked for


def test_an_unreadable_record_is_kept_aside_not_lost(publisher, tmp_path):
    publisher.files["/files/IMD.csv"] = IMD_CSV
    manifest = manifest_for(tmp_path, publisher, ("imd", "/files/IMD.csv", ""))
    out = tmp_path / "out"
    out.mkdir()
    (out / "fetched.json").write_text('{"not": "a list"}')
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False)
    assert [f.path.name for f in fetched] == ["IMD.csv"]
    assert failures == [f"fetched.json in {out} could not be read (not a list of records): it was kept as "
                        "fetched.json.unreadable, and a new record started."]
    assert (out / "fetched.json.unreadable").read_text() == '{"not": "a list"}'
    assert [r["file"] for r in records(out)] == ["IMD.csv"]


@pytest.mark.parametrize("damage, why", [
    ({"flag": 0x1}, "is encrypted (fetch has no password for it)"),
    ({"method": 9}, "is compressed with Deflate64, which Python cannot unpack (7-Zip can)"),
], ids=["encrypted", "deflate64"])
def test_an_encrypted_or_deflate64_member_is_named_and_the_other_datasets_still_fetched(publisher, tmp_path, damage,
                                                                                        why):
    publisher.files["/files/qof.zip"] = patched(zip_of({"PREVALENCE.csv": b"A\n1\n", "MAPPING.csv": b"B\n2\n"}),
                                                "MAPPING.csv", **damage)
    publisher.files["/files/IMD.csv"] = IMD_CSV
    manifest = manifest_for(tmp_path, publisher, ("qof", "/files/qof.zip", ""), ("imd", "/files/IMD.csv", ""))
    out = tmp_path / "out"
    run = run_cli("--out", out, "--manifest", manifest)
    assert run.returncode == 1
    assert not_fetched(run) == [f"NOT FETCHED qof 2022-23: MAPPING.csv inside qof.zip {why}. Download it by hand "
                                f"from {publisher.base}/pages/qof and put the file in the output folder (or correct "
                                "its row in data/publications.csv)."]
    assert "  imd                IMD.csv (33 bytes, sha256 " in run.stdout
    assert sorted(os.listdir(out)) == ["IMD.csv", "fetched.json"]


def test_a_zip_bomb_is_refused_by_the_cap(publisher, tmp_path):
    publisher.files["/files/bomb.zip"] = zip_of({"PREVALENCE.csv": bytes(10 << 20)})  # 10 MB of zeros, ~10 kB
    publisher.files["/files/IMD.csv"] = IMD_CSV
    manifest = manifest_for(tmp_path, publisher, ("qof", "/files/bomb.zip", ""), ("imd", "/files/IMD.csv", ""))
    out = tmp_path / "out"
    run = run_cli("--out", out, "--manifest", manifest, "--max-expanded-mb", 1)
    assert run.returncode == 1
    assert not_fetched(run)[0].startswith("NOT FETCHED qof 2022-23: bomb.zip would expand to 10.0 MB, more than the "
                                          "1.0 MB allowed (--max-expanded-mb)")
    assert sorted(os.listdir(out)) == ["IMD.csv", "fetched.json"]


@pytest.mark.parametrize("headers", ["true", "lying"])
def test_the_cap_counts_every_member_and_what_is_really_unpacked(publisher, tmp_path, headers):
    data = zip_of({"A.csv": bytes(600_000), "B.csv": bytes(600_000)})  # each under the cap, both over it
    if headers == "lying":
        data = patched(patched(data, "A.csv", size=1_000), "B.csv", size=1_000)
    publisher.files["/files/qof.zip"] = data
    manifest = manifest_for(tmp_path, publisher, ("qof", "/files/qof.zip", ""))
    out = tmp_path / "out"
    fetched, failures = fetch.fetch("2022-23", out, manifest=manifest, progress=False, max_expanded_bytes=1_000_000)
    assert fetched == [] and len(failures) == 1 and failures[0].startswith("qof 2022-23: ")
    assert sorted(os.listdir(out)) == ["fetched.json"]
    assert records(out) == []


def test_the_cap_is_counted_while_unpacking_not_only_read_from_the_headers(tmp_path, monkeypatch):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_of({"PREVALENCE.csv": bytes(10 << 20)}))
    out = tmp_path / "out"
    out.mkdir()
    (out / "PREVALENCE.csv").write_bytes(b"the good file")
    monkeypatch.setattr(fetch, "_check_members", lambda *args: None)  # as if the headers had been believed
    with pytest.raises(fetch.Unusable, match=r"^bomb.zip expands to more than the 1.0 MB allowed"):
        fetch.unpack(archive, out, max_bytes=1 << 20)
    assert os.listdir(out) == ["PREVALENCE.csv"] and (out / "PREVALENCE.csv").read_bytes() == b"the good file"


def test_a_server_sending_a_byte_at_a_time_is_given_up_at_the_deadline(publisher, tmp_path):
    publisher.files["/files/slow.csv"] = b"x" * 100  # 50 s at a byte every half second
    publisher.trickle.add("/files/slow.csv")
    publisher.files["/files/IMD.csv"] = IMD_CSV
    manifest = manifest_for(tmp_path, publisher, ("qof", "/files/slow.csv", ""), ("imd", "/files/IMD.csv", ""))
    out = tmp_path / "out"
    started = time.monotonic()
    run = run_cli("--out", out, "--manifest", manifest, "--deadline-minutes", 0.04)  # 2.4 s
    assert time.monotonic() - started < 15
    assert run.returncode == 1
    assert not_fetched(run)[0].startswith("NOT FETCHED qof 2022-23: slow.csv was still downloading after 2.4 s "
                                          "(--deadline-minutes)")
    assert (out / "IMD.csv").read_bytes() == IMD_CSV and not (out / "slow.csv").exists()
