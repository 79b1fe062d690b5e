"""`python -m bench [--only NAME] [--quick]`: run the suite, print one table, record it.

Every (benchmark, storage variant) case runs in a child process (`bench.worker`).
A missed target is a FAIL in the table, not an error: the exit code is non-zero only
when a case crashed (exception, non-zero exit, time-out) or a module failed to import.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.framework import (
    CRASH,
    FAIL,
    PASS,
    PLATFORMS,
    POSTGRESQL,
    SKIP,
    Benchmark,
    Row,
    pg_url,
)
from bench.registry import load_benchmarks

RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"
COLUMNS = ("figure", "target", "measured", "ratio", "pass/fail", "peak RSS MB", "stall ms")


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)


# --- running cases ---------------------------------------------------------------------


def postgres_reachable(timeout: float = 1.0) -> str | None:
    """None when the server accepts TCP connections, else why not."""
    url = make_url(pg_url())
    host, port = url.host or "127.0.0.1", url.port or 5432
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as error:
        return f"PostgreSQL at {host}:{port} is unreachable ({error}); set AGORA_BENCH_PG_URL"


class CaseServer:
    """The `bench.worker --serve` process: forks a fresh child per case (see bench.worker).

    Started on first use and again after it died; each case still gets a process of
    its own, without paying for Python's start-up and the core's imports each time.
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None

    def _started(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "bench.worker", "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            self._reply(self._proc)  # {"ready": true} once the imports are done
        return self._proc

    @staticmethod
    def _reply(proc: subprocess.Popen[str]) -> dict[str, object]:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the case server exited ({proc.wait()})")
        reply: dict[str, object] = json.loads(line)
        return reply

    def run(self, request: dict[str, object]) -> int | None:
        """The case's exit code, or None when it was killed at its time limit."""
        proc = self._started()
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
        except BrokenPipeError as error:
            raise RuntimeError("the case server exited") from error
        code = self._reply(proc)["code"]
        return code if isinstance(code, int) else None

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None


def run_case(
    bench: Benchmark, variant: str, quick: bool, outcome: Outcome, server: CaseServer
) -> None:
    label = f"{bench.name} ({variant})" if variant else bench.name
    print(f"· {label} …", file=sys.stderr, flush=True)
    limit = 180 if quick else (bench.timeout or 1200)
    with tempfile.TemporaryDirectory(prefix="agora-bench-") as tmp:
        result = Path(tmp) / "result.json"
        log = Path(tmp) / "case.log"
        request = {
            "name": bench.name,
            "variant": variant,
            "module": bench.fn.__module__,
            "result": str(result),
            "log": str(log),
            "quick": quick,
            "limit": limit,
        }
        started = time.perf_counter()
        try:
            code = server.run(request)
        except RuntimeError as error:
            _crash(outcome, bench, variant, str(error), _read(log))
            return
        took = time.perf_counter() - started
        stderr = _read(log)
        if code is None:
            _crash(outcome, bench, variant, f"timed out after {limit} s", stderr)
            return
        if code != 0 or not result.exists():
            _crash(outcome, bench, variant, f"exit code {code}", stderr)
            return
        data = json.loads(result.read_text(encoding="utf-8"))
    outcome.rows.extend(Row.from_json(r) for r in data["rows"])
    outcome.notes.extend(data["notes"])
    warnings = [line for line in stderr.splitlines() if line.strip()]
    if warnings:
        outcome.notes.append(
            f"{label} wrote {len(warnings)} line(s) to stderr, e.g.: {warnings[-1][:200]}"
        )
    print(f"  done in {took:.1f} s", file=sys.stderr, flush=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def _crash(outcome: Outcome, bench: Benchmark, variant: str, why: str, stderr: str) -> None:
    label = f"{bench.name} ({variant})" if variant else bench.name
    tail = [line for line in stderr.splitlines() if line.strip()][-15:]
    print(f"  CRASH: {why}", file=sys.stderr)
    for line in tail:
        print(f"    {line}", file=sys.stderr)
    errors = [line.strip() for line in tail if _EXCEPTION_LINE.match(line.strip())]
    last = errors[-1] if errors else (tail[-1] if tail else why)
    outcome.rows.append(Row(figure=f"{bench.title} ({variant or '-'})", status=CRASH, note=last))
    outcome.crashed.append(label)


# --- output ----------------------------------------------------------------------------


def _cells(row: Row) -> list[str]:
    return [
        row.figure,
        row.target,
        row.measured,
        f"{row.ratio:.2f}×" if row.ratio is not None else "",
        row.status,
        f"{row.rss_mb:.0f}" if row.rss_mb is not None else "",
        f"{row.stall_ms:.1f}" if row.stall_ms is not None else "",
    ]


def _footnotes(outcome: Outcome) -> list[str]:
    notes = [row.note for row in outcome.rows if row.note]
    return notes + outcome.notes


def print_table(outcome: Outcome, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in COLUMNS:
        numeric = column in ("ratio", "peak RSS MB", "stall ms")
        table.add_column(column, justify="right" if numeric else "left")
    styles = {PASS: "green", FAIL: "bold red", CRASH: "bold red", SKIP: "yellow"}
    for row in outcome.rows:
        cells = _cells(row)
        style = styles.get(row.status)
        if style:
            cells[4] = f"[{style}]{cells[4]}[/]"
        table.add_row(*cells)
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(table)
    for note in _footnotes(outcome):
        console.print(f"  • {note}", highlight=False, markup=False)


def machine() -> str:
    cores = os.cpu_count() or 0
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        ram = 0.0
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip() + ", "
                break
    except OSError:
        pass
    return (
        f"{cpu}{cores} cores, {ram:.1f} GiB RAM, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def load_average() -> str:
    """Other work on the machine skews every figure; the record says how busy it was."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1/5/15 min)"
    except OSError:
        return "unknown"


def commit() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}{' (uncommitted changes)' if dirty else ''}"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def record(
    outcome: Outcome,
    *,
    mode: str,
    only: str | None,
    load: str,
    began: datetime,
    took: float | None = None,
    path: Path = RESULTS_FILE,
) -> None:
    when = began.strftime("%Y-%m-%d %H:%M UTC")
    scope = f", only `{only}`" if only else ""
    lines = [
        "",
        f"## {when} · {mode}{scope} · commit {commit()}",
        "",
        f"Machine: {machine()}; load average at start {load}"
        + (f"; the run took {took:.0f} s." if took is not None else "."),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    lines += ["| " + " | ".join(_md(c) for c in _cells(row)) + " |" for row in outcome.rows]
    notes = _footnotes(outcome)
    if notes:
        lines.append("")
        lines += [f"- {_md(note)}" for note in notes]
    if not path.exists():
        path.write_text(RESULTS_HEADER, encoding="utf-8")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


RESULTS_HEADER = """# Benchmark results

Appended by `make bench` (`python -m bench`), newest last. `quick` runs are the short
routine mode; `full` runs use the durations of the issues (e.g. 60 s of sustained
ingest) and are the record. Peak RSS is per case (each case runs in its own process);
stall is the longest event-loop stall seen by a 5 ms loop-lag probe while measuring.
"""


# --- entry point -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        metavar="NAME",
        help="run only these benchmarks: NAME[:VARIANT][,NAME…] (see --list)",
    )
    parser.add_argument("--quick", action="store_true", help="short mode (≤ 2 min in all)")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/RESULTS.md"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    errors: dict[str, str] = {}
    benches = load_benchmarks(errors)
    if args.list:
        for bench in benches.values():
            variants = ", ".join(v for v in bench.variants if v)
            print(f"{bench.name:18} {bench.title}" + (f" [{variants}]" if variants else ""))
        return 0
    selected = list(benches.values())
    # --only NAME[:VARIANT][,NAME[:VARIANT]…]
    wanted: dict[str, set[str]] = {}
    for part in (args.only or "").split(","):
        if part.strip():
            name, _sep, variant = part.strip().partition(":")
            wanted.setdefault(name, set()).update({variant} if variant else set())
    if wanted:
        unknown = [n for n in wanted if n not in benches and n not in errors]
        if unknown:
            names = ", ".join(benches)
            print(f"no benchmark {unknown[0]!r}; choose from: {names}", file=sys.stderr)
            return 2
        selected = [b for b in selected if b.name in wanted]

    outcome = Outcome()
    for module, trace in errors.items():
        if wanted and module not in wanted:
            continue
        print(f"bench.{module} failed to import:\n{trace}", file=sys.stderr)
        last = trace.strip().splitlines()[-1]
        outcome.rows.append(Row(figure=module, status=CRASH, note=f"bench.{module}: {last}"))
        outcome.crashed.append(module)
    # Quick mode is the SQLite variants: the PostgreSQL ones run in full mode, or in
    # quick mode when named with --only (bench/README.md says why).
    skip_pg = args.quick and not wanted
    skipped_pg = [b.name for b in selected if skip_pg and POSTGRESQL in b.variants]
    if skipped_pg:
        line = (
            f"PostgreSQL skipped in quick mode ({len(skipped_pg)} variants: "
            f"{', '.join(skipped_pg)}); `make bench` runs them, or "
            "`python -m bench --quick --only NAME:postgresql`"
        )
        print(line, file=sys.stderr, flush=True)
        outcome.notes.append(line)
    skipped_platforms = [b.name for b in selected if skip_pg and PLATFORMS in b.variants]
    if skipped_platforms:
        line = (
            f"through the fake platforms skipped in quick mode ({', '.join(skipped_platforms)}); "
            "`make bench` runs them, or `python -m bench --quick --only NAME:platforms`"
        )
        print(line, file=sys.stderr, flush=True)
        outcome.notes.append(line)
    runs_pg = any(POSTGRESQL in b.variants and b.name not in skipped_pg for b in selected)
    pg_problem = postgres_reachable() if runs_pg else None
    load = load_average()
    began = datetime.now(UTC)
    started = time.perf_counter()
    server = CaseServer()
    try:
        for bench in selected:
            for case_variant in bench.variants:
                if wanted.get(bench.name) and case_variant not in wanted[bench.name]:
                    continue
                if case_variant == POSTGRESQL and bench.name in skipped_pg:
                    continue
                if case_variant == PLATFORMS and bench.name in skipped_platforms:
                    continue
                if case_variant == POSTGRESQL and pg_problem is not None:
                    outcome.rows.append(
                        Row(figure=f"{bench.title} (postgresql)", status=SKIP, note=pg_problem)
                    )
                    continue
                run_case(bench, case_variant, args.quick, outcome, server)
    finally:
        server.close()
    took = time.perf_counter() - started
    mode = "quick" if args.quick else "full"
    print_table(outcome, f"Agora benchmarks ({mode}, {took:.0f} s, load average {load})")
    if not args.no_record:
        record(outcome, mode=mode, only=args.only, load=load, began=began, took=took)
    return 1 if outcome.crashed else 0
