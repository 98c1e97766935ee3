"""The one sanitizer for untrusted text: what a server, a token, a config file, the environment
or a typed path says is shown as text, never obeyed by the terminal.

Two rules, applied everywhere such text is shown:

- :func:`clean` makes every control character visible (C0 except newline and tab, DEL, C1:
  ``ESC`` becomes the four characters ``\\x1b``) and escapes bidi overrides and the other
  format characters (``\\u202e``), so no byte sequence from outside can set the clipboard or the
  window title, draw a link, clear the screen or reorder what a person reads.
- Untrusted strings reach Rich and Textual only as ``Text`` / ``Content`` built by
  :func:`safe_text` and :func:`safe_content` (never parsed as markup), so ``[link=...]`` or an
  unbalanced ``[/x]`` shows as typed.

The CLI also wraps stdout and stderr in :class:`SafeStream`, so whatever a command prints
passes :func:`clean` on its way to the terminal. Only Rich and Textual are imported, and only
when a function needs them: this module loads before the TUI's first frame at no cost.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.text import Text
    from textual.content import Content

#: Anything that is not printable ASCII, newline or tab: the only characters worth a look.
_SUSPECT = re.compile(r"[^\x20-\x7e\n\t]")
#: Unicode categories shown escaped: format (bidi overrides, zero-width, tags), surrogates,
#: line and paragraph separators, unassigned and private-use code points.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Cn", "Co"})


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _replace(match: re.Match[str]) -> str:
    return _visible(match.group(0))


def clean(text: str, *, newlines: bool = True) -> str:
    """``text`` with control and format characters made visible (``\\x1b``, ``\\u202e``).

    Newline and tab are kept (``newlines=False`` escapes them too, for one-line places such
    as a header value or a banner). Printable text, any script and emoji, is left as it is.
    """
    if newlines:
        if _SUSPECT.search(text) is None:
            return text
        return _SUSPECT.sub(_replace, text)
    return _SUSPECT.sub(_replace, text).replace("\n", "\\n").replace("\t", "\\t")


def clean_line(text: str) -> str:
    """:func:`clean` for one-line places: newline and tab are escaped too."""
    return clean(text, newlines=False)


def is_clean(text: str) -> bool:
    """True when :func:`clean` would leave ``text`` as it is."""
    return clean(text) == text


def safe_text(value: object, style: str = "", *, one_line: bool = False) -> Text:
    """A Rich ``Text`` of ``value`` after :func:`clean`: never parsed as markup."""
    from rich.text import Text

    text = str(value)
    return Text(clean_line(text) if one_line else clean(text), style=style)


def safe_content(value: object, style: str = "", *, one_line: bool = False) -> Content:
    """A Textual ``Content`` of ``value`` after :func:`clean`: never parsed as markup."""
    from textual.content import Content

    text = str(value)
    cleaned = clean_line(text) if one_line else clean(text)
    return Content.styled(cleaned, style) if style else Content(cleaned)


def safe_markup(value: object) -> str:
    """``value`` cleaned and escaped for the rare place that only takes markup (a border
    title, a radio button's label): ``[`` can open no tag."""
    from rich.markup import escape

    return escape(clean_line(str(value)))


def json_dumps(payload: Any, **kwargs: Any) -> str:
    """``json.dumps`` whose strings keep their content with every control and non-ASCII
    character JSON-escaped (``\\u001b``, ``\\u007f``, ``\\u202e``): valid JSON, safe to print."""
    kwargs.setdefault("ensure_ascii", True)
    # json escapes C0 and (with ensure_ascii) everything above 0x7e, but not DEL.
    return json.dumps(payload, **kwargs).replace("\x7f", "\\u007f")


class SafeStream(io.TextIOBase):
    """A text stream passing everything written through :func:`clean` (the CLI's stdout and
    stderr), so no command can forward a control sequence to the terminal by mistake."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(clean(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.stream.errors


@contextmanager
def safe_streams() -> Iterator[None]:
    """Within the block, ``sys.stdout`` and ``sys.stderr`` write through :class:`SafeStream`
    (headless commands only: the TUI writes its own escape sequences)."""
    import sys

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(saved[0]), SafeStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
