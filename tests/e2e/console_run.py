"""Run `agora run --script` as an admin would, in a fresh working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AGORA = Path(sys.executable).with_name("agora")


def run_script(
    script: Path, cwd: Path, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(AGORA), "run", "--script", str(script)]
    if config is not None:
        command += ["--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "AGORA_CONFIG"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
