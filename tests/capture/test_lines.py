"""Lines of a byte stream read ahead in part (Prefixed): the lines of the whole stream, whatever was read ahead."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from ocpkit.capture._lines import Lines, Prefixed


def _plain(data: bytes) -> list[str]:
    # The stream's lines as a text file reads them (newline="" keeps every line ending as it is).
    text = data.decode("utf-8", "replace")
    lines = io.StringIO(text, newline="").readlines()
    # StringIO also ends lines at a lone "\r"; a byte stream ends them at "\n" only.
    out: list[str] = []
    for line in lines:
        if out and not out[-1].endswith("\n"):
            out[-1] += line
        else:
            out.append(line)
    if out and out[0].startswith("\ufeff"):
        out[0] = out[0][1:]
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a\n", "bc", "\r\n", "\n", "é", '[2,"1","Heartbeat",{}]\n', "\r", "x" * 40]),
        max_size=30,
    ),
    st.integers(0, 400),
)
def test_the_lines_do_not_depend_on_what_was_read_ahead(parts: list[str], ahead: int) -> None:
    data = "".join(parts).encode()
    ahead = min(ahead, len(data))
    rest = io.BytesIO(data[ahead:])
    lines = Lines(Prefixed(data[:ahead], rest))
    got = list(lines)
    assert got == _plain(data)
    assert lines.count == len(got)


def test_a_line_over_the_limit_that_starts_in_the_bytes_read_ahead_is_skipped() -> None:
    from ocpkit.capture import _lines

    big = b"y" * (_lines.MAX_LINE_BYTES + 10) + b"\n"
    data = b"first\n" + big + b"last\n"
    lines = Lines(Prefixed(data[:20], io.BytesIO(data[20:])))
    assert list(lines) == ["first\n", "\n", "last\n"]
    assert lines.problem_count == 1
