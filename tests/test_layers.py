"""The layers run one way, and no module reaches into another's private names.

`dsl` ← `platform/db` ← `services` ← `excel` renders what services give it ← `web`, the
command line (docs/decisions.md; the shape in ../shared/design/architecture.md); the plain
data services hand the renderers (`platform/report_data.py`) sits below services and excel.
Read from the source with `ast`, so a lazy import inside a function counts for the layers; the
import cycle check reads module-level imports only (those run when the module is imported). A
module's parent packages are imported before it, but that is not counted as an edge: a package
whose `__init__` gathers its submodules is no cycle unless a submodule takes a name from that
`__init__` (which the edges do show).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import chamdiem

ROOT = Path(chamdiem.__file__).parent
CLI = (
    "chamdiem.cli",
    "chamdiem.platform.commands",
    "chamdiem.platform.console",
    "chamdiem.platform.report_commands",
    "chamdiem.platform.rule_commands",
    "chamdiem.platform.web_commands",
)
SERVICES = ("chamdiem.platform.services",)
EXCEL = ("chamdiem.platform.excel",)
WEB = ("chamdiem.platform.web",)
DB = ("chamdiem.platform.db",)
# The plain data services hand the renderers (chamdiem/platform/report_data.py): below both.
REPORT_DATA = ("chamdiem.platform.report_data",)

# Renderers in excel/ that still fetch what they render (they should be handed it): each entry
# is to go, and the test fails when one is no longer needed, so the list only shrinks.
EXCEL_FETCHING: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
    }


MODULES = modules()


def is_under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def imports(name: str, *, top_level: bool) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for each `import`/`from … import` of
    chamdiem; `from package import submodule` gives the submodule."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = _top_level(tree.body) if top_level else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chamdiem"):
                    yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            if not base.startswith("chamdiem"):
                continue
            plain = [a.name for a in node.names if f"{base}.{a.name}" not in MODULES]
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}", [], node.lineno
            if plain:
                yield base, plain, node.lineno


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run at import: the body, into `if`/`try` blocks, but not the blocks
    only a type checker reads."""
    for node in body:
        if isinstance(node, ast.If):
            test = node.test
            if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
                yield from _top_level(node.orelse)
                continue
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level(block)
            for handler in node.handlers:
                yield from _top_level(handler.body)
        else:
            yield node


def all_edges() -> set[tuple[str, str]]:
    return {
        (name, target)
        for name in MODULES
        for target, _, _ in imports(name, top_level=False)
        if target != name
    }


def test_the_modules_are_found() -> None:
    assert "chamdiem.dsl.loader" in MODULES
    assert "chamdiem.platform.db.models.base" in MODULES
    assert ("chamdiem.platform.services.runs", "chamdiem.platform.services.audit") in all_edges()


def test_no_private_name_is_imported_from_another_module() -> None:
    found = [
        f"{MODULES[name].relative_to(ROOT.parent)}:{line} takes {taken} from {target}"
        for name in MODULES
        for target, names, line in imports(name, top_level=False)
        for taken in names
        if taken.startswith("_") and not taken.startswith("__") and target != name
    ]
    assert found == []


def against(source: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{name} imports {target}"
        for name, target in all_edges()
        if is_under(name, source) and is_under(target, forbidden)
    )


def test_the_language_knows_nothing_of_the_platform_or_the_command_line() -> None:
    assert against(("chamdiem.dsl",), ("chamdiem.platform", *CLI)) == []


def test_the_database_layer_imports_no_service_reader_renderer_or_face() -> None:
    assert against(DB, (*SERVICES, *EXCEL, *WEB, *CLI)) == []


def test_the_data_handed_to_renderers_imports_no_service_renderer_or_face() -> None:
    assert against(REPORT_DATA, (*SERVICES, *EXCEL, *WEB, *CLI)) == []


def test_services_import_no_web_and_no_command_line() -> None:
    assert against(SERVICES, (*WEB, *CLI)) == []


def test_excel_imports_no_web_and_no_command_line() -> None:
    assert against(EXCEL, (*WEB, *CLI)) == []


def test_excel_imports_no_services() -> None:
    """The renderers are handed what they show (chamdiem.platform.report_data) and the
    readers give what they read; neither fetches from or refuses through a service."""
    assert against(EXCEL, SERVICES) == []


def test_the_web_imports_no_command_line() -> None:
    assert against(WEB, CLI) == []


def test_excel_renders_what_it_is_given_except_the_listed_modules() -> None:
    fetching = {
        (name, target)
        for name, target in all_edges()
        if is_under(name, EXCEL) and is_under(target, SERVICES)
    }
    assert fetching - EXCEL_FETCHING == set(), "a renderer in excel/ began to fetch its data"
    assert EXCEL_FETCHING - fetching == set(), "fixed: take it off EXCEL_FETCHING"


def test_no_import_cycle_when_the_modules_are_imported() -> None:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, _, _ in imports(name, top_level=True):
            if target in MODULES and target != name:
                graph[name].add(target)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []
