"""What a documentation author sees when something is wrong: bad directive arguments, a missing docs extra."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAGE = """Errors
======

Some text.

.. ocpp-message:: 2.0.1 BootNotificaton

.. ocpp-type:: 2.0.1 ChargingStation

.. ocpp-enum:: 2.0.1 connectorstatusenumtype

.. ocpi-object:: 2.2.1 location

.. ocpi-enum:: 2.2.1 TarifType

.. ocpp-message:: 9.9 Heartbeat
"""


def test_directive_errors_say_what_was_expected_with_close_matches(tmp_path: Path) -> None:
    pytest.importorskip("sphinx", reason="the docs extra (sphinx) is not installed")
    (tmp_path / "conf.py").write_text('extensions = ["ocpkit.sphinxext"]\n', encoding="utf-8")
    (tmp_path / "index.rst").write_text(PAGE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(tmp_path), str(tmp_path / "_build")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    lines = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(lines) == 6, result.stderr
    expected = [
        (6, "no action 'BootNotificaton'", "did you mean 'BootNotification'"),
        (8, "no data type 'ChargingStation'", "did you mean 'ChargingStationType'"),
        (10, "no enum 'connectorstatusenumtype'", "did you mean 'ConnectorStatusEnumType'"),
        (12, "no object or class 'location'", "did you mean 'Location'"),
        (14, "no enum 'TarifType'", "did you mean 'TariffType'"),
        (16, "unknown OCPP version '9.9'", "expected one of 1.6, 2.0.1, 2.1"),
    ]
    for line, (number, what, hint) in zip(lines, expected, strict=True):
        # Each error names the page and line (from docutils), what was wrong, what was expected, close matches.
        assert f"index.rst:{number}:" in line, line
        assert what in line and hint in line, line
    assert (
        "expected the name of one of the" in lines[0]
        and "usage: .. ocpp-message:: VERSION ACTION" in lines[0]
    )


_WITHOUT_SPHINX = """
import importlib.abc, sys

class NoDocsExtra(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("sphinx", "docutils"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoDocsExtra())
from ocpkit.errors import MissingExtraError
import ocpkit.sphinxext as ext  # the description layer needs no Sphinx
assert ext.describe_model
for attempt in (lambda: ext.setup(None), lambda: __import__("ocpkit.sphinxext._directives")):
    try:
        attempt()
    except MissingExtraError as exc:
        assert isinstance(exc, ImportError) and exc.extra == "docs", exc
        print(exc)
    else:
        raise SystemExit("no error")
"""


def test_setup_without_the_docs_extra_names_the_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_SPHINX],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    messages = result.stdout.strip().splitlines()
    assert len(messages) == 2
    for message in messages:
        assert "pip install 'ocpkit[docs]'" in message and "sphinx" in message.lower(), message
