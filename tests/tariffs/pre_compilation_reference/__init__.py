"""The tariff engine as it was before compiled tariffs: a frozen copy, kept as the test oracle.

``engine.price`` here is ``ocpkit.tariffs.price`` of the last release without
``compile``/``price_many``, copied verbatim (only its imports point here). The
differential test in ``tests/tariffs/test_compiled.py`` prices random tariffs
and sessions with both and requires every field of the results to be equal.
Never edit these files to make a test pass; delete the folder after the next
release, once the compiled engine has shipped with the oracle beside it.
"""

from tests.tariffs.pre_compilation_reference.engine import Pricing, Rounding, price

__all__ = ["Pricing", "Rounding", "price"]
