"""Benchmark: build the national-scale demo (6,300 practices, 33,000 LSOAs, 1.6M practice-by-LSOA rows,
~10M referral records). Prints the median time of the load (of --repeat runs), the time of the whole build
and the peak memory.

    .venv/bin/python benchmarks/build.py [--out benchmarks/out]
"""

import argparse
import resource
import statistics
import time
from pathlib import Path

import duckdb

from phm_profile import demo, store
from phm_profile.readers import Report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="benchmarks/out")
    parser.add_argument("--data", help="national extracts already written (default: OUT/national)")
    parser.add_argument("--repeat", type=int, default=3, help="loads timed (the median is the figure)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    extracts = Path(args.data) if args.data else out / "national"
    if not (extracts / "mh_referrals_records.csv").exists():
        started = time.perf_counter()
        demo.write_demo(extracts, "national", seed=2024)
        print(f"generated national demo in {time.perf_counter() - started:.1f} s")
    loads = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        con = duckdb.connect()
        store.load_folder(con, extracts, Report())
        loads.append(time.perf_counter() - started)
        con.close()
    started = time.perf_counter()
    store.build(extracts, out / "national.duckdb")
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load + validate national extracts: median {statistics.median(loads):.1f} s of {len(loads)} "
          f"({', '.join(f'{t:.1f}' for t in loads)}; target < 10 s)")
    print(f"full build incl. models and swap:  {total:.1f} s")
    print(f"peak memory (RSS):                 {peak:,.0f} MB")


if __name__ == "__main__":
    main()
