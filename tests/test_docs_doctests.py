"""Every ``>>>`` example in the documentation runs and prints what the page says.

A page whose examples import a part of ocpkit that is absent from this checkout
is skipped with the missing module named; the others must pass.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(
    p
    for p in DOCS.rglob("*.md")
    if "_build" not in p.parts and "_generated" not in p.parts and ">>>" in p.read_text(encoding="utf-8")
)
_IMPORT = re.compile(r"^>>> (?:from (ocpkit[\w.]*) import ([\w, ]+)|import (ocpkit[\w.]*))", re.M)


def _missing(text: str) -> str | None:
    """The first ocpkit module or name the page imports that this checkout lacks."""
    for match in _IMPORT.finditer(text):
        module = match.group(1) or match.group(3)
        try:
            imported = importlib.import_module(module)
        except ImportError as exc:
            return f"{module} ({exc})"
        for name in (n.strip() for n in (match.group(2) or "").split(",") if n.strip()):
            if not hasattr(imported, name):
                try:
                    importlib.import_module(f"{module}.{name}")
                except ImportError:
                    return f"{module}.{name}"
    return None


def test_there_are_doctested_pages() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"quickstart.md", "howto/price-cdr.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_page_examples(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = _missing(text)
    if missing is not None:
        pytest.skip(f"the page's examples need {missing}, which is not in this checkout")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, page.name, str(page), 0)
    assert test.examples, f"{page} has no examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
