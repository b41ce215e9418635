"""Benchmark: the build of every real file in ../shared/data/real as it is laid out (sub-folders, zips, .gz,
companion files; issue 25, target <= 20 s), then the full real build of one year from the publishers' files (every extract
the product reads: QOF 2022-23 with its mapping, ePCN, epraccur, IMD 2019 File 1, the 2025 registrations and
their practice map, practice locations, the England LSOA boundaries, Talking Therapies and MHSDS), then the
profile of one PCN read back. Prints the time of each step, the median of --repeat builds and the peak memory.

    .venv/bin/python benchmarks/real.py [--repeat 3] [--real ../shared/data/real]

Targets on this (2-core) machine: every real file <= 20 s (issue 25); the full real build of one year <= 10 s
(issue 13).
"""

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from phm_profile import store


def main() -> None:
    from test_real_data import FULL_SET  # the same set the real-data tests build

    parser = argparse.ArgumentParser()
    parser.add_argument("--real", default=str(ROOT.parent / "shared" / "data" / "real"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    real = Path(args.real)
    with tempfile.TemporaryDirectory() as tmp:
        everything = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = store.build(real, Path(tmp) / "everything.duckdb")
            everything.append(time.perf_counter() - started)
        print(f"every real file as laid out ({len(result.files)} files used, {len(result.report.warnings)} warnings): "
              f"median {statistics.median(everything):.1f} s of {len(everything)} "
              f"({', '.join(f'{t:.1f}' for t in everything)}; target <= 20 s)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "real"
        folder.mkdir()
        for name in FULL_SET:
            (folder / Path(name).name).symlink_to(real / name)
        times, steps = [], []
        for run in range(args.repeat):
            marks = []
            started = time.perf_counter()
            store.build(folder, Path(tmp) / "real.duckdb",
                        lambda message: marks.append((time.perf_counter(), message)))
            times.append(time.perf_counter() - started)
            if run == 0:
                ends = [t for t, _ in marks[1:]] + [started + times[-1]]
                steps = [(message, end - t) for (t, message), end in zip(marks, ends)]
        started = time.perf_counter()
        con = store.connect(Path(tmp) / "real.duckdb")
        rows = con.execute("SELECT count(*) FROM pcn_profile WHERE pcn_code = 'U01901' AND period = '2022-23'"
                           ).fetchall()[0][0]
        con.close()
        profile = time.perf_counter() - started
    for message, seconds in steps:
        print(f"  {seconds:5.2f} s  {message}")
    print(f"full real build: median {statistics.median(times):.1f} s of {len(times)} "
          f"({', '.join(f'{t:.1f}' for t in times)}; target <= 10 s)")
    print(f"one PCN's profile read back: {profile * 1000:.0f} ms ({rows} indicators)")
    print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
