"""Quickstart: the smallest useful tour of ocpkit (run: python examples/quickstart.py)."""

import ocpkit

print(f"ocpkit {ocpkit.__version__}")
