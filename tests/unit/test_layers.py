"""The import graph (read with the stdlib ``ast``, nothing imported): no circle
anywhere in the package, and no arrow out of ``core/`` — core imports only core
and the standard library (plus the third-party libraries listed below)."""

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bukutamu"
# Third-party code core may use: none (the calendar and the phone-number plan are
# adapters handed to the core).
CORE_THIRD_PARTY: set[str] = set()


def modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


def imports() -> dict[str, set[str]]:
    """Module -> what it imports: package modules by name, others as "ext:<top name>".
    Imports under ``if TYPE_CHECKING`` and inside functions count too."""
    mods = modules()

    def owner(name: str) -> str:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for name, (path, package) in mods.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name if package else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        pkg = pkg.rpartition(".")[0]
                    base = f"{pkg}.{base}" if base else pkg
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            for t in targets:
                found.add(owner(t) if t.split(".")[0] == "bukutamu" else "ext:" + t.split(".")[0])
        found.discard(name)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_package_has_no_import_circle():
    assert cycles(imports()) == []


def test_core_imports_only_core_and_the_standard_library():
    outward = {}
    for name, targets in imports().items():
        if not name.startswith("bukutamu.core"):
            continue
        bad = sorted(t for t in targets if not t.startswith("bukutamu.core") and not (
            t.startswith("ext:") and (t[4:] in sys.stdlib_module_names or t[4:] in CORE_THIRD_PARTY)))
        if bad:
            outward[name] = bad
    assert outward == {}


def test_the_checker_sees_a_circle_and_an_outward_arrow():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = imports()
    assert "bukutamu.core.sheet" in graph["bukutamu.core.plan"]  # from-imports are seen
    assert "bukutamu.bootstrap" in graph["bukutamu.engine"]


def test_only_the_composition_root_builds_adapters():
    """Stores, mailers and the journal are constructed in bootstrap.py (and by the
    demo, which builds its own embedded store and outbox on purpose)."""
    builders = ("SqliteSheetStore(", "GoogleSheetStore.from_settings(", "MailJournal(", "mailer_from_settings(",
                "SmtpMailer(")
    allowed = {"bootstrap.py", "commands/demo.py", "adapters/mail/__init__.py"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in allowed or rel.startswith("adapters/"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{rel}: {b}" for b in builders if b in text]
    assert found == []
