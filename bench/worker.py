"""Runs one (benchmark, variant) case in this process and writes its rows as JSON.

    python -m bench.worker NAME VARIANT RESULT.json [--quick] [--module bench.MODULE]

Started by the runner (`python -m bench`), one process per case, so that peak RSS is
the case's own and a crash stays contained. Exit code 0 means the rows were written.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
import tempfile
from pathlib import Path

from bench.framework import BENCHMARKS, SKIP, Case, Row, peak_rss_mb
from bench.support import BackendUnavailable


async def run_case(case: Case, module: str) -> list[Row]:
    importlib.import_module(module)
    bench = BENCHMARKS[case.name]
    try:
        rows = await bench.fn(case)
    except BackendUnavailable as error:
        return [Row(figure=f"{bench.title} ({case.variant})", status=SKIP, note=str(error))]
    finally:
        for cleanup in reversed(case.cleanups):
            try:
                await cleanup()
            except Exception as error:
                print(f"cleanup failed: {error}", file=sys.stderr)
    rss = round(peak_rss_mb(children=case.name == "cold_start"), 1)
    for row in rows:
        if row.rss_mb is None and row.status != SKIP:
            row.rss_mb = rss
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("name")
    parser.add_argument("variant")
    parser.add_argument("result", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--module", help="the module declaring it (default: bench.NAME)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory(prefix=f"agora-bench-{args.name}-") as workdir:
        case = Case(args.name, args.variant, args.quick, Path(workdir))
        rows = asyncio.run(run_case(case, args.module or f"bench.{args.name}"))
    result = {"rows": [r.to_json() for r in rows], "notes": case.notes}
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
