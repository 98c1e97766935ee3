"""Small wording helpers shared by the widgets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 id``, ``2 ids``, ``0 ids``: the count with the noun in the right number."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


@dataclass(frozen=True)
class AppKeys:
    """The keys of the in-app token actions, as the user's keymap binds them."""

    tokens: str = "f2"
    generate: str = "ctrl+g"


#: Binding id -> (field of :class:`AppKeys`, default key).
_ACTION_BINDINGS = {"app.tokens": "tokens", "token_setup.generate": "generate"}


def app_keys(app: object) -> AppKeys:
    """The token actions' keys for ``app``: its config's ``[keymap]`` over the defaults."""
    keymap = getattr(getattr(app, "config", None), "keymap", None) or {}
    keys = {field: str(keymap[binding]).split(",")[0].strip()
            for binding, field in _ACTION_BINDINGS.items() if keymap.get(binding)}
    return AppKeys(**keys)


def in_app(text: str, keys: AppKeys | None = None, *, in_token_setup: bool = False) -> str:
    """``text`` with every ``amratings token ...`` command named as the app's way to do it.

    Hints, findings and diagnoses are shared with the CLI, where they name its commands; in
    the app the same step is a key away (f2 opens token setup, ctrl+g generates there), and a
    command to run elsewhere would send the user out of the app for nothing.
    ``in_token_setup``: the text is shown in token setup itself ("here").
    """
    k = keys or AppKeys()
    if in_token_setup:
        status, where, setup = "see what is listed here", "", "token setup"
        setup_in = "here"
    else:
        status = f"press {k.tokens} for token setup, which decodes it and lists what is wrong"
        where, setup = f" in token setup ({k.tokens})", f"token setup ({k.tokens})"
        setup_in = where.strip()
    for pattern, replacement in (
            (_STATUS, status),
            (_SET_FILE, f'the File choice under "Keep tokens in"{where}'),
            (_SET, f"enter it {setup_in}"),
            (_GENERATE, f"{k.generate} (Generate){where}"),
            (_ANY, setup)):
        text = pattern.sub(partial(_capitalised, replacement), text)
    return text


_STATUS = re.compile(r"\b[Rr]un `amratings token status`")
_SET_FILE = re.compile(r"`amratings token set (?:developer|user) --file`")
_SET = re.compile(r"\b[Rr]un `amratings token set(?: developer| user)?`")
_GENERATE = re.compile(r"`amratings token generate`")
_ANY = re.compile(r"`amratings token[^`]*`")


def _capitalised(replacement: str, matched: re.Match[str]) -> str:
    """``replacement``, capitalised when the command it replaces began a sentence."""
    if matched.group(0)[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement
