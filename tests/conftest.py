"""Shared test fixtures: where the reference material in ../shared lives.

Tests that need the official schemas, the OCPI text or the captures use the
``shared`` fixture. Without the material they skip with a reason, unless
``OCPKIT_REQUIRE_SHARED=1`` (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs are reproducible: the same examples every run (explore locally, where failures print
# their seed), and no per-example deadline on a shared, noisy machine.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    """Return the reference-material directory, or None when it is absent."""
    path = Path(os.environ.get("OCPKIT_SHARED", ROOT.parent / "shared"))
    return path if (path / "specs").is_dir() else None


def require_shared() -> Path:
    """Return the shared directory or skip (fail under OCPKIT_REQUIRE_SHARED=1)."""
    path = shared_dir()
    if path is None:
        reason = "reference material not found: set OCPKIT_SHARED to the shared/ directory"
        if os.environ.get("OCPKIT_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared directory (skips or fails when absent, see module docstring)."""
    return require_shared()
