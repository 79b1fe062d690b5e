"""Run `agora run --script` as an admin would, in a fresh working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AGORA = Path(sys.executable).with_name("agora")

# `agora` with the console's clock starting at argv[1] (an ISO time) instead of now.
PINNED_START = """
import sys
from datetime import datetime
import bot.clock
start = datetime.fromisoformat(sys.argv.pop(1))
bot.clock.SystemClock.now = lambda self: start
sys.argv[0] = "agora"
from bot.cli import main
main()
"""


def run_script(
    script: Path, cwd: Path, config: Path | None = None, *, start: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`start`: the console's clock starts then (an ISO time) instead of now."""
    agora = [str(AGORA)] if start is None else [sys.executable, "-c", PINNED_START, start]
    command = [*agora, "run", "--script", str(script)]
    if config is not None:
        command += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "AGORA_CONFIG"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
