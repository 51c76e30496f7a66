"""Sphinx is a dependency of ``ocpkit.sphinxext`` alone: no other module of the package imports it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

_PROBE = """
import pkgutil, importlib, sys
import ocpkit
for info in pkgutil.walk_packages(ocpkit.__path__, "ocpkit."):
    if info.name in ("ocpkit.sphinxext._directives", "ocpkit.__main__"):
        continue
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sphinx", "docutils"))
print(",".join(loaded))
"""


def test_no_module_but_sphinxext_imports_sphinx() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == ""
