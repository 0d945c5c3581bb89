"""House rules that a parse can check: Qt layering, lazy torch, the UI off the
ORM, the catalog off the other domain layers (records cross layers through
curator.records), the rooms (no folder over 20 modules, the package root over 8;
search, export and ml off the pipeline; the UI off the LLM; the rooms of ui/ in
one order; the foundations and the rooms under others never reaching up: paths.py
off every room, ml off the settings, ingest off the pipeline and export, fs off
everything), no private names across modules, no import cycles in curator/, no
module over 700 lines, thread pools made only by the composition roots, and a
pipeline service typed without Any."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "curator"
NO_QT = (
    "fs",
    "catalog",
    "imaging",
    "llm",
    "ml",
    "export",
    "interop",
    "commands",
    "search",
    "purge",
    "ingest",
    "cull",
    "proof",
    "duplicates",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def _curator_module(dotted: str) -> str | None:
    """The curator module a dotted import name lands in (longest existing prefix)."""
    name = dotted
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_widgets_only_in_ui_and_app() -> None:
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith("ui/") or rel == "app.py":
            continue
        bad = {n for n in _imports(path) if n.startswith(("PySide6.QtWidgets", "PySide6.QtGui"))}
        assert not bad, f"{rel} imports {bad}"


def test_the_pre_qt_checks_import_no_qt() -> None:
    """The entry point, the display check and the set-up check run before Qt may
    load (a missing system library would abort it): none of them imports Qt."""
    for rel in (
        "__main__.py",
        "install/display.py",
        "install/setup_check.py",
        "install/setup_unpack.py",
    ):
        bad = {n for n in _imports(PKG / rel) if n.split(".")[0] == "PySide6"}
        assert not bad, f"{rel} imports {bad}"


def test_domain_packages_import_no_qt_and_no_ui() -> None:
    for pkg in NO_QT:
        for path in (PKG / pkg).rglob("*.py"):
            bad = {n for n in _imports(path) if n.startswith(("PySide6", "curator.ui"))}
            assert not bad, f"{path.relative_to(PKG)} imports {bad}"


CATALOG_MUST_NOT_IMPORT = (
    "curator.ml",
    "curator.imaging",
    "curator.llm",
    "curator.pipeline",
    "curator.ui",
)


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _resolved_imports(path: Path, source: str | None = None) -> set[str]:
    """Like `_imports`, anywhere in the file, but also `from curator import ml` as
    curator.ml and relative imports (`from ..ml import taste`) made absolute.
    `source` stands in for the file's text (the module name still comes from `path`)."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    text = path.read_text(encoding="utf-8") if source is None else source
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)
    return names


def test_catalog_imports_neither_ml_imaging_llm_pipeline_nor_ui() -> None:
    """Types that cross layers live in curator.records; lazy imports count too."""
    paths = sorted((PKG / "catalog").rglob("*.py"))
    assert PKG / "catalog" / "writer.py" in paths and PKG / "catalog" / "judgments.py" in paths
    for path in paths:
        bad = {n for n in _resolved_imports(path) if _within(n, CATALOG_MUST_NOT_IMPORT)}
        assert not bad, (
            f"{path.relative_to(PKG)} imports {bad}: put shared types in curator.records"
        )


# What the catalog stands on: itself and the foundations. Every other room sits above it
# (interop, export, search, cull, commands…) and is never imported by it.
CATALOG_MAY_IMPORT = (
    "curator.catalog",
    "curator.paths",
    "curator.settings",
    "curator.records",
    "curator.figures",
    "curator.camera_names",
    "curator.tags",
    "curator.fs",
)


def test_the_catalog_imports_no_room_above_it() -> None:
    """A catalog module reaching up the floors (catalog.tagging.edits once imported
    interop.xmp_sync) would tie the data layer to a feature built on it."""
    for path in sorted((PKG / "catalog").rglob("*.py")):
        names = _resolved_imports(path)
        ours = {n for n in names if n == "curator" or n.startswith("curator.")}
        bad = {n for n in ours if not _within(n, CATALOG_MAY_IMPORT)}
        assert not bad, f"{path.relative_to(PKG)} imports {bad}: move what both need down"


def test_records_import_no_other_curator_package() -> None:
    names = _resolved_imports(PKG / "records.py")
    assert "dataclasses" in names  # the parse sees the module's imports
    bad = {n for n in names if n == "curator" or n.startswith(("curator.", "PySide6", "torch"))}
    assert not bad, f"records.py imports {bad}: it holds plain data only"


def test_the_catalog_check_sees_lazy_relative_and_from_package_imports() -> None:
    source = (
        "def f():\n    from curator.ml.taste import label_for\n"
        "from curator import imaging\n"
        "from ..pipeline import score\n"
        "from . import models\n"
    )
    found = _resolved_imports(PKG / "catalog" / "judgments.py", source)
    assert {n for n in found if _within(n, CATALOG_MUST_NOT_IMPORT)} == {
        "curator.ml.taste",
        "curator.ml.taste.label_for",
        "curator.imaging",
        "curator.pipeline",
        "curator.pipeline.score",
    }
    assert "curator.catalog.models" in found
    assert not _within("curator.mlx", CATALOG_MUST_NOT_IMPORT)


def test_cli_never_imports_ui() -> None:
    assert not {n for n in _imports(PKG / "cli.py") if n.startswith("curator.ui")}


def test_torch_is_not_imported_by_the_cli_or_an_import() -> None:
    code = (
        "import sys, curator.cli, curator.pipeline.importer, curator.imaging.technical;"
        "print('torch' in sys.modules, 'open_clip' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_ui_does_not_import_the_orm_models() -> None:
    for path in (PKG / "ui").rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        bad = {n for n in _imports(path) if n.startswith("curator.catalog.models")}
        assert not bad, f"{rel} imports {bad}: add a query to catalog/queries.py instead"


def test_no_private_name_is_imported_from_another_module() -> None:
    found = []
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("curator"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    found.append(f"{path.relative_to(PKG)}: {node.module} {private}")
            elif isinstance(node, ast.Import):
                private = [a.name for a in node.names if "._" in a.name and "__" not in a.name]
                if private:
                    found.append(f"{path.relative_to(PKG)}: {private}")
    assert not found, "private names imported across modules:\n" + "\n".join(found)


def _import_graph() -> dict[str, set[str]]:
    """module -> the curator modules it imports anywhere (lazy imports included)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                dotted = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                dotted = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for item in dotted:
                if item.startswith("curator"):
                    target = _curator_module(item)
                    if target is not None and target != name:
                        targets.add(target)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles_in_curator() -> None:
    graph = _import_graph()
    assert (
        "curator.imaging.raw.decode" in graph["curator.imaging.decode"]
    )  # the graph sees lazy imports
    assert "curator.imaging.decode" not in graph["curator.imaging.raw.decode"]
    assert _cycles(graph) == []


# -- rooms -------------------------------------------------------------------------------

MAX_MODULES_PER_FOLDER, MAX_ROOT_MODULES = 20, 8


def test_no_folder_is_crowded() -> None:
    """A newcomer finds a module by its room: no folder holds more than 20
    modules, and the package root only entry points and foundations (≤ 8)."""
    for folder in [PKG, *(p for p in PKG.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        limit = MAX_ROOT_MODULES if folder == PKG else MAX_MODULES_PER_FOLDER
        assert len(modules) <= limit, f"{folder.relative_to(PKG.parent)} holds {len(modules)}"


def _imports_within(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in (PKG / package).rglob("*.py"):
        bad = {n for n in _resolved_imports(path) if _within(n, forbidden)}
        if bad:
            found.append(f"{path.relative_to(PKG)} imports {sorted(bad)}")
    return found


def test_search_export_ml_and_the_engine_never_import_the_pipeline() -> None:
    """The pipeline stands on them; the engine (isolation, runner, locks) stands
    under the stages, so export can decode in the same child processes."""
    for package in ("search", "export", "ml", "engine", "interop", "purge", "cull", "proof"):
        assert _imports_within(package, ("curator.pipeline", "curator.ui")) == []


def test_paths_imports_no_room() -> None:
    """paths.py is a foundation (where files are, where a catalog is): it
    imports no curator room, so whatever reads it (ml.faces.files) never
    reaches the catalog through it."""
    names = _resolved_imports(PKG / "paths.py")
    assert "platformdirs" in names  # the parse sees the module's imports
    assert {n for n in names if _within(n, ("curator",))} == set()


def test_ml_never_reads_the_settings() -> None:
    """The models take their configuration (`ClipConfig`); the settings make it
    (`settings.clip_config`), from above."""
    assert _imports_within("ml", ("curator.settings",)) == []


def test_ingest_imports_neither_the_pipeline_nor_export() -> None:
    """The pipeline imports the card's copies, not the other way round; what
    ingest and export both use (temporary names, publishing, safe names, the
    folder check) is fs/'s, below both."""
    assert _imports_within("ingest", ("curator.pipeline", "curator.export")) == []


def test_fs_stands_on_no_other_room() -> None:
    found = []
    for path in (PKG / "fs").rglob("*.py"):
        bad = {n for n in _resolved_imports(path) if _within(n, ("curator",))}
        bad = {n for n in bad if not _within(n, ("curator.fs",))}
        if bad:
            found.append(f"{path.relative_to(PKG)} imports {sorted(bad)}")
    assert found == []


def test_the_back_edge_checks_see_a_lazy_import() -> None:
    source = "def f():\n    from curator.settings import Settings\n"
    names = _resolved_imports(PKG / "ml" / "config.py", source)
    assert _within("curator.settings.Settings", ("curator.settings",))
    assert "curator.settings.Settings" in names
    source = "from ..pipeline.stages import scan\n"
    names = _resolved_imports(PKG / "ingest" / "source.py", source)
    assert "curator.pipeline.stages.scan" in names


def test_the_ui_never_imports_the_llm() -> None:
    """The tag rules live in curator.tags; the describer is the pipeline's."""
    assert _imports_within("ui", ("curator.llm",)) == []


# Lower rooms never import higher ones; rooms on one level never import each other.
UI_ROOMS: tuple[tuple[str, ...], ...] = (
    ("common",),
    ("review",),
    ("gallery",),
    ("loupe",),
    ("export", "projects", "search", "maintenance", "ingest", "cull", "people", "duplicates"),
    ("window",),
)


def _ui_room(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["curator", "ui"] else None


def test_the_rooms_of_the_ui_never_import_upwards() -> None:
    level = {room: i for i, rooms in enumerate(UI_ROOMS) for room in rooms}
    assert set(level) == {p.name for p in (PKG / "ui").iterdir() if (p / "__init__.py").exists()}
    found = []
    for path in (PKG / "ui").rglob("*.py"):
        room = _ui_room(_module_name(path))
        if room is None:
            continue
        for name in _resolved_imports(path):
            target = _ui_room(name)
            if target is None or target == room:
                continue
            if level[target] >= level[room]:
                found.append(f"{path.relative_to(PKG)} ({room}) imports {name} ({target})")
    assert found == []


def test_the_room_check_sees_an_upward_import() -> None:
    source = "from curator.ui.window.main_window import MainWindow\n"
    path = PKG / "ui" / "gallery" / "view.py"
    names = _resolved_imports(path, source)
    assert _ui_room(_module_name(path)) == "gallery"
    assert {_ui_room(n) for n in names} == {"window"}


# -- threads -----------------------------------------------------------------------------

POOL_OWNERS = ("app.py", "pipeline/importer.py")  # the GUI's and the CLI's composition roots


def _constructs_thread_pool(source: str) -> bool:
    """`QThreadPool(...)` called anywhere in `source` (plain, dotted or aliased)."""
    tree = ast.parse(source)
    names = {"QThreadPool"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.name == "QThreadPool" and a.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            called = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", None)
            if called in names:
                return True
    return False


def test_only_the_composition_roots_make_thread_pools() -> None:
    """app.py makes every pool of the GUI (and drains them all in App.shutdown);
    pipeline/importer.py is the CLI's root. Anything else takes its pool from a
    constructor, so no pool can outlive the shutdown's drain."""
    makers = sorted(
        path.relative_to(PKG).as_posix()
        for path in PKG.rglob("*.py")
        if _constructs_thread_pool(path.read_text(encoding="utf-8"))
    )
    assert makers == sorted(POOL_OWNERS)
    # Qt's global pool is nobody's to drain: not used at all.
    users = [p for p in PKG.rglob("*.py") if "globalInstance" in p.read_text(encoding="utf-8")]
    assert users == []


def test_the_pool_check_sees_every_way_to_make_a_pool() -> None:
    for source in (
        "from PySide6.QtCore import QThreadPool\npool = QThreadPool()\n",
        "import PySide6.QtCore\npool = PySide6.QtCore.QThreadPool(parent)\n",
        "from PySide6.QtCore import QThreadPool as Pool\nclass A:\n    def f(self):\n"
        "        self.p = Pool(self)\n",
    ):
        assert _constructs_thread_pool(source), source
    assert not _constructs_thread_pool("def f(pool: QThreadPool) -> None:\n    pool.start(x)\n")
    assert not _constructs_thread_pool("QThreadPool.globalInstance()\n")


def test_the_pipeline_service_is_typed_without_any() -> None:
    """The service and its phases (the modules of curator/pipeline/ itself, not
    the stages) say what every field and parameter is: no typing.Any."""
    found = []
    for path in sorted((PKG / "pipeline").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "typing":
                if any(a.name == "Any" for a in node.names):
                    found.append(path.name)
            elif isinstance(node, ast.Attribute) and node.attr == "Any":
                found.append(path.name)
    assert found == []


MAX_MODULE_LINES = 700  # aim for ~500; past 700 a module is split along its seams


def test_no_module_is_over_700_lines() -> None:
    """A module a newcomer can read in one sitting: none over 700 lines."""
    long = {
        path.relative_to(PKG).as_posix(): n
        for path in PKG.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


MAX_MODULE_DOCSTRING_LINES = 40  # what the module is; how it was found lives in docs/decisions/


def module_docstring_lines(source: str) -> int:
    """How many lines `source`'s module docstring spans (0 without one)."""
    first = next(iter(ast.parse(source).body), None)
    if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
        return (first.end_lineno or first.lineno) - first.lineno + 1
    return 0


def test_no_module_docstring_is_over_40_lines() -> None:
    """A module's docstring says what the module is (issue 73 §5); a package's
    `__init__` overview is the one exception."""
    long = {
        path.relative_to(PKG).as_posix(): n
        for path in PKG.rglob("*.py")
        if path.name != "__init__.py"
        and (n := module_docstring_lines(path.read_text(encoding="utf-8")))
        > MAX_MODULE_DOCSTRING_LINES
    }
    assert long == {}


def test_the_docstring_count_sees_a_long_docstring() -> None:
    source = '"""' + "line\n" * 41 + '"""\n\nx = 1\n'
    assert module_docstring_lines(source) == 42
    assert module_docstring_lines("x = 1\n") == 0
