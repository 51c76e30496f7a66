"""A minimal user project: the ocpkit.sphinxext directives in someone else's documentation."""

project = "example-csms"
extensions = ["ocpkit.sphinxext"]
exclude_patterns = ["_build"]
html_theme = "basic"
