"""Close matches for names a caller got slightly wrong ("did you mean ...?").

Theory of operation: an unknown action, object, enum value or directive
argument is compared with the names that exist. A match that differs only in
case comes first (``location`` -> ``Location``); then the closest spellings
by :func:`difflib.get_close_matches`. Only error paths call this, so
:mod:`difflib` is imported there and never at ``import ocpkit``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["close_matches", "did_you_mean"]


def close_matches(word: object, candidates: Iterable[object], *, limit: int = 3) -> list[str]:
    """The candidates closest to *word*: same text ignoring case first, then similar spellings."""
    if not isinstance(word, str) or not word:
        return []
    names = [c for c in dict.fromkeys(str(c) for c in candidates) if c]
    folded = word.casefold()
    same_case = [c for c in names if c.casefold() == folded and c != word]
    import difflib

    lowered = {c.casefold(): c for c in names}
    similar = [lowered[m] for m in difflib.get_close_matches(folded, list(lowered), n=limit, cutoff=0.75)]
    out = list(dict.fromkeys([*same_case, *similar]))
    return [c for c in out if c != word][:limit]


def did_you_mean(word: object, candidates: Iterable[object]) -> str:
    """``"; did you mean 'X'?"`` (or ``'X' or 'Y'``) for the close matches of *word*, else ``""``."""
    found = close_matches(word, candidates)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in found) + "?"
