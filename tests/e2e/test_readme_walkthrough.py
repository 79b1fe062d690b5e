"""The console walkthrough in the README is what `agora run` really prints.

The typed lines (after a `name@#channel> ` prompt) are replayed as a script; every
other line must follow in the same order, except where the README writes `…` (a cut
list) and the clock's time (the console starts at the real time).
"""

from __future__ import annotations

import re
from pathlib import Path

from console_run import run_script

README = Path(__file__).resolve().parents[2] / "README.md"
PROMPT = re.compile(r"^\S+@#\S+> (.*)$")
TIME = re.compile(r"\(time is now \d{4}-\d\d-\d\d \d\d:\d\d UTC\)")
CUT = "     …"


def walkthrough() -> list[str]:
    text = README.read_text(encoding="utf-8")
    console = text[text.index("<!-- section:console -->") :]
    block = console[console.index("```text\n") + len("```text\n") :]
    return block[: block.index("```")].splitlines()


def test_the_readme_walkthrough_is_real_output(tmp_path: Path) -> None:
    expected = walkthrough()
    typed = [m.group(1) for line in expected if (m := PROMPT.match(line))]
    assert typed, "the walkthrough has no typed lines"
    script = tmp_path / "walkthrough.txt"
    script.write_text("\n".join(typed) + "\n", encoding="utf-8")
    result = run_script(script, tmp_path)
    assert result.returncode == 0, result.stderr
    actual = [TIME.sub("(time is now …)", line) for line in result.stdout.splitlines()]
    position, skipping = 0, False
    for line in (TIME.sub("(time is now …)", line) for line in expected):
        if line == CUT:
            skipping = True
            continue
        if skipping:
            assert line in actual[position:], f"README line not printed: {line!r}"
            position = actual.index(line, position)
            skipping = False
        assert actual[position] == line, f"README: {line!r}\nprinted: {actual[position]!r}"
        position += 1
    assert position == len(actual), f"printed but not in the README: {actual[position:]}"
