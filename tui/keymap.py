"""Checks of the ``[keymap]`` table of the config file against the app's bindings.

Every binding that can be remapped has an id (``rating.like``); ids are grouped by the
screen or widget that declares them (a *place*: keys only clash within one). Textual applies
a keymap silently, so an id that matches nothing or two actions on one key would simply not
work: :func:`keymap_problems` names them for a warning. It imports every screen and widget
module, so the app calls it only when the config file has a keymap.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from textual.binding import Binding
from textual.dom import DOMNode


def binding_places() -> dict[str, dict[str, str]]:
    """``{place: {binding id: default keys}}`` for the app, every screen and every widget
    (the bindings they inherit, Textual's own included)."""
    import tui.app
    import tui.screens
    import tui.widgets

    modules = [tui.app]
    for package in (tui.screens, tui.widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            modules.append(importlib.import_module(info.name))
    places: dict[str, dict[str, str]] = {}
    for module in modules:
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, DOMNode)
                    and value.__module__ == module.__name__):
                continue
            ids: dict[str, str] = {}
            for klass in reversed(value.__mro__):
                for binding in vars(klass).get("BINDINGS", ()):
                    if isinstance(binding, Binding) and binding.id:
                        ids[binding.id] = binding.key
            if ids:
                places[f"{module.__name__}.{value.__name__}"] = ids
    return places


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with ``keymap``: ids no binding has, and keys given to two actions in
    one place. Empty when all is well."""
    places = binding_places()
    known = {binding_id for ids in places.values() for binding_id in ids}
    problems: list[str] = []
    unknown = [binding_id for binding_id in keymap if binding_id not in known]
    if unknown:
        problems.append("[keymap] names unknown binding "
                        f"{'ids' if len(unknown) > 1 else 'id'} "
                        + ", ".join(repr(u) for u in unknown) + ": ignored")
    clashes: set[tuple[str, tuple[str, ...]]] = set()
    for ids in places.values():
        if not any(binding_id in keymap for binding_id in ids):
            continue
        owners: dict[str, list[str]] = {}
        for binding_id, default in ids.items():
            keys = keymap.get(binding_id, default)
            for key in (k.strip() for k in keys.split(",")):
                if key:
                    owners.setdefault(key, []).append(binding_id)
        for key, who in owners.items():
            if len(who) > 1 and any(w in keymap for w in who):
                clashes.add((key, tuple(sorted(who))))
    for key, pair in sorted(clashes):
        problems.append(f"[keymap] binds {key!r} to both "
                        + " and ".join(repr(w) for w in pair) + ": only one of them will run")
    return problems
