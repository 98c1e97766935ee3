"""The rating as the user reads it: a symbol, a word and a colour.

The symbol and the word carry the meaning on their own, so the cell stays readable with
``NO_COLOR`` and for colour-blind users; the colour only helps scanning. The words are the
service layer's (:func:`tui.api.results.rating_word`).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Text

from tui.api.results import DISLIKED, FAILED, LIKED, NOT_RATED

__all__ = ["DISLIKED", "FAILED", "LIKED", "LOADING", "NOT_RATED", "rating_badge", "symbol_for"]

#: A row whose rating has not arrived yet (the others are the service layer's words).
LOADING = "Loading"

#: word -> (symbol, theme variable giving its colour)
_LOOK: dict[str, tuple[str, str]] = {
    LIKED: ("♥", "text-success"),
    DISLIKED: ("✕", "text-error"),
    NOT_RATED: ("·", ""),
    FAILED: ("!", "text-warning"),
    LOADING: ("…", ""),
}

_FALLBACK_COLOURS = {"text-success": "green", "text-error": "red", "text-warning": "yellow"}


def symbol_for(word: str) -> str:
    """The symbol shown beside ``word``."""
    return _LOOK.get(word, ("?", ""))[0]


def rating_badge(word: str, theme: Mapping[str, str] | None = None) -> Text:
    """``♥ Liked`` (and so on) styled with the theme's colour for that word."""
    symbol, variable = _LOOK.get(word, ("?", ""))
    if not variable:
        # Not rated and loading are the quiet states: dim works on every theme.
        return Text(f"{symbol} {word}", style="dim")
    colour = (theme or {}).get(variable) or _FALLBACK_COLOURS.get(variable, "")
    try:
        style = Style.parse(f"bold {colour}".strip())
    except StyleSyntaxError:  # an unparseable theme colour must never break the table
        style = Style(bold=True)
    return Text(f"{symbol} {word}", style=style)
