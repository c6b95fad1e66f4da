"""Run the benchmarks named on the command line (default: all) and print one table."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench import (
    compare_latency,
    fairness,
    fanout,
    national,
    pack,
    pairing,
    pulse,
    ratelimit,
    throughput,
)
from bench.report import Row, table

BENCHMARKS: dict[str, Callable[[], Coroutine[Any, Any, list[Row]]]] = {
    "throughput": throughput.run_all,
    "compare": compare_latency.run,
    "fanout": fanout.run,
    "fairness": fairness.run,
    "pack": pack.run,
    "pairing": pairing.run,
    "pulse": pulse.run,
    "ratelimit": ratelimit.run,
    "national": national.run,
}


def main(argv: list[str]) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    logging.basicConfig(level=logging.WARNING)
    # Stopping a bot process mid long-poll resets its connection; that is expected here.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    names = argv or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    rows: list[Row] = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        rows.extend(asyncio.run(BENCHMARKS[name]()))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
