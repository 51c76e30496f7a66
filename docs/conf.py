"""Sphinx configuration of the ocpkit documentation.

The reference pages under ``reference/_generated`` are written at build time by
``_ext/ocpkit_site.py`` from the models themselves; nothing there is edited by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

import ocpkit  # noqa: E402

project = "ocpkit"
author = "The ocpkit developers"
copyright = "the ocpkit developers, Apache-2.0"
release = ocpkit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "ocpkit.sphinxext",
    "ocpkit_site",
    "ocpkit_smart_charging",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Every link inside the generated reference must resolve: a dangling type link is a build error.
ocpkit_strict_links = True

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}

# The docs build without network access: no inventory fetching.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "furo"
html_title = f"ocpkit {release}"
html_static_path = ["_static"]
html_css_files = ["ocpkit.css"]
html_show_sourcelink = False
