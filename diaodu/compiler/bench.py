"""Benchmark of the extractor: ``uv run python -m diaodu.compiler.bench [FILE] [--repeat N]``.

Reads the file once, then times normalise + extract (best and median of N runs, after one warm-up run
that also compiles the regular expressions). Speed goals are recorded in BENCHMARKS.md, never asserted
in unit tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from diaodu.compiler.extract import extract, read_document

DEFAULT = (
    Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "guanyun-2025-economic-work-speech.txt"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    raw = read_document(args.file)
    start = time.perf_counter()
    items = extract(raw, year=args.year)  # cold: includes compiling the patterns
    cold = time.perf_counter() - start
    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        extract(raw, year=args.year)
        runs.append(time.perf_counter() - start)
    size = len(raw.encode("utf-8"))
    print(
        f"{Path(args.file).name}: {size / 1024:.1f} KB, {len(items)} items; "
        f"cold {cold * 1000:.1f} ms, warm best {min(runs) * 1000:.1f} ms, median {statistics.median(runs) * 1000:.1f} ms "
        f"({args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
