"""Runs (benchmark, variant) cases, each in a process of its own, and writes their rows as JSON.

    python -m bench.worker NAME VARIANT RESULT.json [--quick] [--module bench.MODULE]
    python -m bench.worker --serve

The first form runs one case in this process (handy under a profiler). The second is
what the runner (`python -m bench`) starts: a case server that imports what every
case needs once (the core, SQLAlchemy, the storage layer, the memory adapter) and
then forks a fresh child per case. Starting Python and importing all that costs a
couple of seconds per case, which over thirty cases was most of a quick run; a
forked child starts in milliseconds with the imports already done, and is still a
process of its own: peak RSS is the case's own (Linux resets a child's high-water
mark to what it maps at the fork), a crash or a time-out stays contained, and no
case sees another's event loop, threads, engines or garbage. The server itself never
starts an event loop or a thread, so forking it is safe.

Protocol: one JSON line per case on stdin (`name`, `variant`, `module`, `result`,
`log`, `quick`, `limit`); one JSON line back per case (`code`: the child's exit code,
or null when it was killed at the time limit, `limit`). The child's stdout and stderr
go to `log`. Exit code 0 of a child means the rows were written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench.framework import BENCHMARKS, SKIP, Case, Row, peak_rss_mb
from bench.support import BackendUnavailable

# Imported once by the case server, before it forks: what every case imports anyway
# (each builds the real core on a fresh database), so a child's RSS is what a fresh
# process running the same case would have. SDKs (discord.py, slack-bolt) are left to
# the cases that use them.
PRELOAD = (
    "bot.app",
    "bot.features",
    "storage.engine",
    "storage.migrate",
    "storage.schema",
    "adapters.memory.community",
    "adapters.memory.port",
    "adapters.memory.seeding",
    "aiosqlite",
)


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


def run_one(name: str, variant: str, result: Path, quick: bool, module: str | None) -> int:
    """Run one case in this process and write its rows to `result`; the exit code."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory(prefix=f"agora-bench-{name}-") as workdir:
        case = Case(name, variant, quick, Path(workdir))
        rows = asyncio.run(run_case(case, module or f"bench.{name}"))
    payload = {"rows": [r.to_json() for r in rows], "notes": case.notes}
    result.write_text(json.dumps(payload), encoding="utf-8")
    return 0


# --- the case server -------------------------------------------------------------------


def _child(request: dict[str, Any]) -> None:
    """In the forked child: own process group, output to the log file, run, exit."""
    code = 1
    try:
        os.setpgid(0, 0)  # so a time-out can kill the case and whatever it started
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # the server's stdin carries the protocol
        os.dup2(log, 1)  # … and its stdout the replies
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        code = run_one(
            request["name"],
            request["variant"],
            Path(request["result"]),
            bool(request["quick"]),
            request.get("module"),
        )
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, limit: float) -> int | None:
    """The child's exit code, or None after killing its process group at `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.02)


def serve() -> int:
    """Read case requests from stdin, run each in a forked child, answer on stdout."""
    for module in PRELOAD:
        # A module that fails here fails again, with its traceback, in the case.
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    with contextlib.suppress(Exception):
        # Every table module too: the children then share one consistent snapshot of
        # the schema even if the tree is edited while the suite runs.
        importlib.import_module("storage.schema").load_all()
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        code = _wait(pid, float(request["limit"]))
        sys.stdout.write(json.dumps({"code": code, "limit": request["limit"]}) + "\n")
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("--serve", action="store_true", help="the runner's case server")
    parser.add_argument("name", nargs="?")
    parser.add_argument("variant", nargs="?", default="")
    parser.add_argument("result", nargs="?", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--module", help="the module declaring it (default: bench.NAME)")
    args = parser.parse_args(argv)
    if args.serve:
        return serve()
    if args.name is None or args.result is None:
        parser.error("NAME, VARIANT and RESULT are required (or --serve)")
    return run_one(args.name, args.variant, args.result, args.quick, args.module)


if __name__ == "__main__":
    sys.exit(main())
