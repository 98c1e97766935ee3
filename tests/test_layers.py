"""The layers, checked statically: each contract forbids a layer to import some modules, directly
or through other modules of ours, at the top of a file, inside a function or under
``TYPE_CHECKING`` alike (a lazy import is still an import).

Read without importing anything: every ``import`` statement under ``tui/`` is parsed. The last
tests prove that a deliberately wrong import, added to a copy of the tree, breaks a contract.
"""

from __future__ import annotations

import ast
import shutil
from collections import deque
from pathlib import Path

import pytest
from repo_kit import ROOT

#: (layer, forbidden, why): no module of ``layer`` may reach a module under ``forbidden``.
CONTRACTS: list[tuple[str, tuple[str, ...], str]] = [
    ("tui.api", ("textual", "rich", "tui.app", "tui.screens", "tui.widgets", "tui.messages",
                 "tui.commands", "tui.session", "tui.cli"),
     "the service layer runs headless (CLI, tests) and knows nothing of the UI"),
    ("tui.tokens", ("textual", "tui.app", "tui.screens", "tui.widgets", "tui.messages",
                    "tui.commands", "tui.session"),
     "token storage and inspection serve the CLI as much as the TUI"),
    ("tui.session", ("textual", "tui.app", "tui.screens", "tui.widgets"),
     "the session is plain: screens get their services from it, not from the app"),
    ("tui.widgets", ("tui.screens", "tui.app"),
     "widgets are parts; screens compose them and the app composes screens"),
    ("tui.screens", ("tui.app",),
     "screens get a Session; they never reach back into the app"),
]


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every module ``tree`` imports: ``import a.b`` gives ``a.b``; ``from a import b`` gives
    ``a`` and ``a.b`` (``b`` may be a submodule); relative imports are resolved."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if not is_package:
                    package.pop()
                package = package[:len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module name -> the names it imports, for every ``.py`` under ``root/tui``."""
    graph: dict[str, set[str]] = {}
    for path in sorted((root / "tui").rglob("*.py")):
        name = _module_name(root, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = _imports(tree, name, path.name == "__init__.py")
    return graph


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def broken(graph: dict[str, set[str]], layer: str, forbidden: tuple[str, ...]) -> list[str]:
    """Each way a module of ``layer`` reaches a forbidden module, as ``a -> b -> c``."""
    found: list[str] = []
    for start in sorted(m for m in graph if _under(m, layer)):
        seen = {start}
        queue: deque[list[str]] = deque([[start]])
        while queue:
            chain = queue.popleft()
            for name in sorted(graph.get(chain[-1], ())):
                if any(_under(name, f) for f in forbidden):
                    found.append(" -> ".join([*chain, name]))
                elif name in graph and name not in seen and not _under(name, layer):
                    seen.add(name)
                    queue.append([*chain, name])
    return found


@pytest.mark.parametrize(("layer", "forbidden", "why"), CONTRACTS,
                         ids=[c[0] for c in CONTRACTS])
def test_layer_contract(layer: str, forbidden: tuple[str, ...], why: str) -> None:
    graph = import_graph(ROOT)
    assert any(_under(m, layer) for m in graph), f"no module under {layer}: contract is stale"
    violations = broken(graph, layer, forbidden)
    assert not violations, f"{layer} must not import {', '.join(forbidden)} ({why}):\n" + \
        "\n".join(violations)


def _tree_with(tmp_path: Path, module: str, line: str) -> dict[str, set[str]]:
    shutil.copytree(ROOT / "tui", tmp_path / "tui")
    target = tmp_path / (module.replace(".", "/") + ".py")
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    return import_graph(tmp_path)


def test_a_widget_importing_the_app_lazily_breaks_the_contract(tmp_path: Path) -> None:
    wrong = ("\n\ndef _app() -> object:\n"
             "    from ..app import AmRatingsApp\n"
             "    return AmRatingsApp\n")
    graph = _tree_with(tmp_path, "tui.widgets.banner", wrong)
    assert broken(graph, "tui.widgets", ("tui.screens", "tui.app")) == [
        "tui.widgets.banner -> tui.app", "tui.widgets.banner -> tui.app.AmRatingsApp"]
    assert not broken(import_graph(ROOT), "tui.widgets", ("tui.screens", "tui.app"))


def test_the_service_layer_reaching_rich_through_another_module_breaks_the_contract(
        tmp_path: Path) -> None:
    # tui.api.client imports tui.tokens.redact: Rich imported there is Rich in the service layer.
    graph = _tree_with(tmp_path, "tui.tokens.redact", "\nimport rich.text\n")
    assert "tui.api.client -> tui.tokens.redact -> rich.text" in broken(
        graph, "tui.api", ("textual", "rich"))


def test_a_screen_typing_the_app_breaks_the_contract(tmp_path: Path) -> None:
    wrong = "\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tui.app\n"
    graph = _tree_with(tmp_path, "tui.screens.inspector", wrong)
    assert broken(graph, "tui.screens", ("tui.app",)) == ["tui.screens.inspector -> tui.app"]
