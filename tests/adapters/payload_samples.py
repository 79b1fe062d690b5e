"""Where the shared payload samples are: `shared/payloads` beside the repository.

A git worktree (`…/wt/NAME`) sits one level deeper than the main checkout, so the
first `shared/payloads` found beside the repository or any folder above it is used.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _find() -> Path:
    for folder in REPO.parents:
        candidate = folder / "shared" / "payloads"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "payloads"  # absent: the tests that need it say so


PAYLOADS = _find()
