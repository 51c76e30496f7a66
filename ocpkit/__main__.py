"""``python -m ocpkit``: the command line (see :mod:`ocpkit.cli`)."""

import sys

from ocpkit.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
