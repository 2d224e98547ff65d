"""The layout's rules (docs/architecture.md, "Layout"), checked on the source so it cannot drift:
the core imports no shell, the shells never import each other, no import cycles, route modules stand
alone, benchmarks use public names only, and no file grows past what one reader can hold."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("topicmap", "api", "worker", "cli")
FORBIDDEN = {
    "topicmap": {"api", "worker", "cli"},  # the core imports no shell
    "api": {"worker", "cli"},
    "worker": {"api", "cli"},
    "cli": {"api", "worker"},
}
MAX_LINES = 400
MAX_PAGE_MODULE_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (not imported at run time)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids.update(id(child) for child in ast.walk(node))
    return ids


def imports(path: Path, *, runtime_only: bool = False) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in the file, function-level ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = type_checking_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module, [alias.name for alias in node.names]


def resolve(module: str, names: list[str], known: dict[str, Path]) -> set[str]:
    """The first-party modules an import loads: ``from a.b import c`` is a.b.c when that is a module."""
    found = {f"{module}.{name}" for name in names if f"{module}.{name}" in known}
    if module in known and (len(found) < len(names) or not names):
        found.add(module)
    return found


def test_packages_import_only_what_the_layout_allows() -> None:
    broken = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for package, banned in FORBIDDEN.items()
        for path in (ROOT / package).rglob("*.py")
        for line, module, _ in imports(path)
        if module.split(".")[0] in banned
    ]
    assert not broken, "\n".join(broken)


def test_route_modules_do_not_import_each_other() -> None:
    broken = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in (ROOT / "api" / "routes").glob("*.py")
        for line, module, names in imports(path)
        if module.startswith("api.routes") and (module != "api.routes" or names)
    ]
    assert not broken, "\n".join(broken)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    """Run-time imports between first-party modules (a package's __init__ loading its own parts is
    not an edge back to the package)."""
    known = modules()
    graph = {
        name: {
            target
            for _, module, names in imports(path, runtime_only=True)
            for target in resolve(module, names, known)
            if target != name and not name.startswith(target + ".")
        }
        for name, path in known.items()
    }
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_benchmarks_use_public_names_only() -> None:
    broken = [
        f"{path.relative_to(ROOT)}:{line} imports {name} from {module}"
        for path in (ROOT / "benchmarks").glob("*.py")
        for line, module, names in imports(path)
        if module.split(".")[0] in PACKAGES
        for name in names
        if name.startswith("_")
    ]
    assert not broken, "\n".join(broken)


def source_files() -> Iterator[Path]:
    for suffix in ("*.py", "*.js"):
        for path in ROOT.rglob(suffix):
            relative = path.relative_to(ROOT)
            if relative.parts[0] not in {"tests", ".venv", "node_modules", "build", "out"} and not any(
                part.startswith(".") for part in relative.parts
            ):
                yield path


def test_no_file_outside_tests_is_over_400_lines() -> None:
    long = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in source_files()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "\n".join(long)


def test_page_modules_stay_under_300_lines() -> None:
    pages = list((ROOT / "api" / "web").glob("*.js"))
    assert pages
    long = [
        f"{p.name}: {n} lines"
        for p in pages
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_PAGE_MODULE_LINES
    ]
    assert not long, "\n".join(long)
