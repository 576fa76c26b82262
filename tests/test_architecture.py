"""The layers: imports run one way, cli → telegram / chat → service → storage → retrieval.

The import graph of bot/, storage/ and retrieval/ is read with ``ast`` (every import, also
those inside functions and under ``TYPE_CHECKING``), so a violation fails here before it
becomes a circular import or a slow start.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "retrieval", "storage")
DATABASE_PACKAGES = ("sqlalchemy", "sqlmodel", "psycopg", "alembic")

# Higher layers may import lower ones (and their own); never the reverse.
LAYERS: dict[str, int] = {
    "retrieval": 0,
    "storage": 1,
    "bot.settings": 2,  # importable by all of bot
    "bot.metrics": 2,  # counters bumped by the service and the fronts; reads storage
    "bot.service": 3,
    "bot.saved_index": 3,  # the saved index and its mark, for the service
    "bot.feeds": 3,  # the feed poller, used by the chat's /feeds poll and by the jobs
    "bot.chat": 4,
    "bot.telegram": 5,
    "bot.cli": 6,
    "bot": 6,  # the package's own __init__ (a docstring)
}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and path.parent.name == "versions":
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every module ``name`` imports (product modules resolved to the module, not the name)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield candidate if candidate in MODULES else base


GRAPH: dict[str, set[str]] = {
    name: {m for m in _imports(name, path) if m != name} for name, path in MODULES.items()
}


def _layer(module: str) -> int | None:
    best: str | None = None
    for prefix in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return LAYERS[best] if best is not None else None


def _product(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def test_the_graph_is_read() -> None:
    assert "bot.chat.registry" in GRAPH and "retrieval.search" in GRAPH
    assert "bot.chat.registry" in GRAPH["bot.chat.questions"]
    assert all(_layer(m) is not None for m in MODULES), "a module outside every layer"


def test_there_is_no_import_cycle() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(t for t in GRAPH.get(node, ()) if t in GRAPH):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_imports_only_run_down_the_layers() -> None:
    upward = [
        f"{module} ({_layer(module)}) imports {target} ({_layer(target)})"
        for module, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if _product(target)
        and (_layer(target) or 0) > (_layer(module) or 0)
        and not module.startswith("bot.cli")
    ]
    assert not upward


def test_nothing_imports_a_cli_module() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, targets in sorted(GRAPH.items())
        for target in targets
        if target.startswith("bot.cli") and not module.startswith("bot.cli")
    ]
    assert not offenders


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("bot.chat", ("telegram", "bot.telegram")),
        ("bot.service", ("telegram", "bot.telegram", "bot.chat")),
        ("bot.settings", ("bot.", "storage", "retrieval", "telegram")),
        ("storage", ("bot", "telegram")),
        ("retrieval", ("storage", "bot", "telegram", *DATABASE_PACKAGES)),
    ],
)
def test_a_layer_does_not_import(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{module} imports {target}"
        for module, targets in sorted(GRAPH.items())
        if module == layer or module.startswith(layer + ".")
        for target in sorted(targets)
        if any(
            target == f or target.startswith(f if f.endswith(".") else f + ".") for f in forbidden
        )
    ]
    assert not offenders


def test_command_registration_is_in_one_place() -> None:
    """bot/chat/__init__.py imports every module that defines commands."""
    defining = {
        name
        for name, path in MODULES.items()
        if name.startswith("bot.chat.") and "@command(" in path.read_text(encoding="utf-8")
    }
    assert defining and defining <= GRAPH["bot.chat"]


def test_only_the_settings_read_the_environment() -> None:
    readers = [
        name
        for name, path in MODULES.items()
        if name != "bot.settings"
        and any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("os.environ", "os.getenv", "load_dotenv")
        )
    ]
    assert not readers


def test_no_product_module_is_over_700_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 700
        and name != "retrieval.index"  # being split into a package (its own issue)
    }
    assert not long
