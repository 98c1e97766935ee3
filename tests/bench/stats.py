"""Summaries of repeated measurements: min / median / max, never a single sample."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(min, median, max) of ``values``."""
    return min(values), statistics.median(values), max(values)


def ms(values: Sequence[float]) -> str:
    """Seconds shown as ``min / median / max`` milliseconds."""
    low, mid, high = spread(values)
    return f"{low * 1000:7.1f} / {mid * 1000:7.1f} / {high * 1000:7.1f} ms"


def ratio(values: Sequence[float]) -> str:
    """Ratios shown as ``min / median / max``."""
    low, mid, high = spread(values)
    return f"{low:7.3f} / {mid:7.3f} / {high:7.3f}  "


def mib(values: Sequence[float]) -> str:
    """Bytes shown as ``min / median / max`` MiB."""
    low, mid, high = spread(values)
    return f"{low / 2**20:7.1f} / {mid / 2**20:7.1f} / {high / 2**20:7.1f} MiB"


def verdict(median: float, limit: float, *, at_least: bool = False) -> str:
    """``[target met]`` or ``[target MISSED]`` for a median against an issue-5 target."""
    met = median >= limit if at_least else median <= limit
    return "[target met]" if met else "[target MISSED]"
