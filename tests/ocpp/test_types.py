"""The field building blocks: RFC 3986 URIs against the rfc3987 oracle, exact multiples, numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
import rfc3987
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from ocpkit.ocpp._types import is_multiple_of, is_uri

URIS = [
    "http://example.com",
    "ftp://user:pw@host:21/a/b?c=d#e",
    "urn:isbn:0451450523",
    "mailto:someone@example.com",
    "file:///tmp/x",
    "http://[::1]:80/",
    "http://[v7.abc]/",
    "http://[fe80::1%25eth0]/",
    "http://[::g]/",
    "http://exa mple.com/",
    "http://example.com/%zz",
    "//example.com/path",
    "relative/path",
    "1http://x",
    "http://ex\u00e4mple.com/",
    "http:",
    "a:b:c",
    'http://x/"',
    "http://x/{y}",
    "",
]


def _oracle(text: str) -> bool:
    try:
        rfc3987.parse(text, rule="URI")
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", URIS)
def test_uri_verdict_equals_rfc3987(text: str) -> None:
    assert is_uri(text) is _oracle(text)


@settings(max_examples=200, derandomize=True, database=None)
@given(st.one_of(urls(), st.text(alphabet="ab:/?#[]@%1.-_~!$&'()*+,;= \u00e9", max_size=20)))
def test_uri_verdict_equals_rfc3987_on_draws(text: str) -> None:
    assert is_uri(text) is _oracle(text)


@pytest.mark.parametrize(
    ("value", "divisor", "expected"),
    [
        ("22.2", "0.1", True),
        ("0.3", "0.1", True),
        ("8.1", "0.1", True),
        ("0.25", "0.1", False),
        ("1E+27", "0.1", True),
        ("1E-27", "0.1", False),
        ("-0.7", "0.1", True),
        ("0", "0.1", True),
        ("5", "0.1", True),
        ("0.30000000000000004", "0.1", False),
    ],
)
def test_exact_multiple_of(value: str, divisor: str, expected: bool) -> None:
    v, d = Decimal(value), Decimal(divisor)
    # Independent check: the quotient computed with ample precision has no fraction.
    from decimal import localcontext

    with localcontext() as ctx:
        ctx.prec = 200
        assert ((v / d) % 1 == 0) is expected
    assert is_multiple_of(v, d) is expected
