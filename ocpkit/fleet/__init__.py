"""Fleet scale: the judging fold of ``ocpkit validate`` over partitions of a fleet's traffic (pure)."""

from __future__ import annotations

__all__: list[str] = []
