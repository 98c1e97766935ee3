"""Small wording helpers shared by the widgets."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 id``, ``2 ids``, ``0 ids``: the count with the noun in the right number."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
