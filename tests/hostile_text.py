"""Hostile text for the sanitizer's tests (issue 10, section 1): a table of payloads a server,
a token or a config file could carry, and checks on the raw characters a terminal receives."""

from __future__ import annotations

import unicodedata

#: (name, payload, visible): each payload, and a piece of how it must look once sanitized.
PAYLOADS: list[tuple[str, str, str]] = [
    ("osc52-clipboard", "\x1b]52;c;SElKQUNLRUQ=\x07", "\\x1b]52;c;SElKQUNLRUQ=\\x07"),
    ("osc0-title", "\x1b]0;PWNED-TITLE\x07", "\\x1b]0;PWNED-TITLE\\x07"),
    ("osc2-title-st", "\x1b]2;PWNED-TITLE2\x1b\\", "\\x1b]2;PWNED-TITLE2\\x1b\\"),
    ("osc8-link", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
     "\\x1b]8;;https://evil.example/"),
    ("csi-clear", "\x1b[2J\x1b[3J\x1b[H", "\\x1b[2J"),
    ("csi-colour", "\x1b[38;5;201mPINK\x1b[0m", "\\x1b[38;5;201mPINK"),
    ("c1-csi", "\x9b2J\x9b31mC1", "\\x9b2J"),
    ("c1-osc", "\x9d52;c;QzFDTElQ\x9c", "\\x9d52;c;QzFDTElQ\\x9c"),
    ("rlo", "\u202egnp.exe", "\\u202egnp.exe"),
    ("cr-bell-bs", "over\rwrite\x07\x08", "over\\x0dwrite\\x07\\x08"),
    ("markup-link", "[link=https://evil.example/]click me[/link]",
     "[link=https://evil.example/]click me[/link]"),
    ("unbalanced-tag", "[/x] [/] [bold", "[/x] [/] [bold"),
]
IDS = [name for name, _, _ in PAYLOADS]
#: Every payload in one string (one request can carry them all).
ALL = " | ".join(payload for _, payload, _ in PAYLOADS)
#: Dot-free payloads (a module path or a host name splits on dots).
NO_DOTS = " | ".join(p for _, p, _ in PAYLOADS if "." not in p)


def unsafe_characters(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on or reorder: C0 controls except
    newline and tab, DEL, C1 controls, and format characters (bidi overrides, zero width)."""
    bad = []
    for char in text:
        code = ord(char)
        if (code < 0x20 and char not in "\n\t") or 0x7F <= code <= 0x9F \
                or unicodedata.category(char) in ("Cf", "Cs", "Zl", "Zp"):
            bad.append(f"U+{code:04X}")
    return bad


def assert_terminal_safe(raw: bytes | str) -> str:
    """``raw`` (bytes as written to a terminal, UTF-8) holds no unsafe character; returns
    the decoded text."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    bad = unsafe_characters(text)
    assert not bad, f"unsafe characters reach the terminal: {sorted(set(bad))}"
    return text
