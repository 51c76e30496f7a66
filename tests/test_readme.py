"""The README's Python example runs as written and shows what it claims."""

from __future__ import annotations

import contextlib
import io
import re

from tests.conftest import ROOT


def test_readme_python_block_runs_and_lists_violations() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no Python example"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    # BootNotification 2.0.1 without chargingStation and with a reason outside the enum: two violations.
    assert any(line.startswith("/chargingStation required OccurenceConstraintViolation") for line in lines)
    assert any(line.startswith("/reason enum PropertyConstraintViolation") for line in lines)
    assert len(lines) == 2
