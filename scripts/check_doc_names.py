#!/usr/bin/env python3
"""Check that the names comments and docstrings cite still exist in the code.

A comment that names `RetrainTask` after RetrainTask was renamed sends the
next reader looking for something that is not there. This script reads every
comment and docstring of the Python files under curator/, tests/, scripts/
and docs/ (and the Markdown files README.md and docs/**/*.md), and checks:

- every `backticked` span that is a name, a dotted name or a call
  (`one_step`, `catalog.decisions.one_step`, `ReviewSession.decide_many()`):
  a dotted name that starts like a module of curator (`pipeline.stages.scan`,
  `curator.cli.main`) must resolve to that module and a name defined in it;
  any other name must be defined somewhere in the code;
- every dotted name in prose that starts with a room of curator
  (catalog.decisions.one_step, without backticks) resolves the same way;
- every path of a file (`ui/loupe/view.py`, tests/unit/test_layering.py,
  backticked or not) must exist, under the repository or under curator/ (or,
  in a Markdown page, beside it: a link such as ../reference/keys.md);
- every CamelCase word in a comment or docstring (`ScoreTask`) must be
  defined somewhere (a class, a function, a constant), unless it is a
  library's (Qt's QThreadPool, Python's KeyboardInterrupt…) or a product's
  or a file format's word (`ALLOWED`);
- every `__all__` lists only names its module defines, and every public
  class and function the module defines (an `__all__` that names one
  re-export hides the module's own API).

"Defined somewhere" is generous on purpose (any class, function, argument,
attribute, imported name or word of a string literal in the code, and
Python's builtins; a Qt class is recognised by its Q prefix): the check is
for names that are gone, not for style. Libraries are not imported, so it
runs in a few seconds and needs nothing installed.

Exit status 1 and one line per problem (path:line: name — why) when
something is stale, 0 when all is well.

Usage: python scripts/check_doc_names.py [ROOT]
"""

from __future__ import annotations

import ast
import builtins
import functools
import io
import keyword
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
PKG = ROOT / "curator"
CODE_DIRS = ("curator", "tests", "scripts", "docs")

# Product, format and library names that are CamelCase but are no identifiers
# of ours or of a library the code imports.
ALLOWED = frozenset(
    {
        "AdobeRGB", "BlackMagic", "CinemaDNG", "LinearRaw", "DaVinci", "DigiKam", "DngConverter",
        "ExifTool", "FreeDesktop", "GitHub", "HiDPI", "ImageMagick", "JavaScript",
        "LibRaw", "LightRoom", "MacBook", "MagicLantern", "MacOS", "NumPy", "OpenCV",
        "OpenClip", "PhotoMechanic", "PowerShot", "PyInstaller", "PyPI", "PySide",
        "PyTorch", "ReLU", "SciPy", "SQLite", "TypeScript", "WebP", "XnView", "YouTube",
        "iPhone", "macOS", "CamelCase", "EasyShare", "FinePix", "DiMAGE", "ProPhoto",
        "OmniVision", "CoolScan", "ViT", "WinError", "UserRole", "LiteRT", "OpenVINO", "OpenBLAS",
        "MkDocs", "PhotoSwipe", "CameraSerialNumber", "HttpOnly", "SameSite",
        # EXIF and DNG tag names, units, and other tools' words
        "DateTimeOriginal", "ExposureBiasValue", "ImageNumber", "NewSubFileType", "SubIFD",
        "SubIFDs", "SubSecTime", "SubSecTimeOriginal", "UniqueCameraModel", "KiB", "MiB",
        "GiB", "NaN", "OpenMP", "RGBG", "InstructorRetryException", "Adobe_DBVersion",
        "adjust_maximum_thr", "cd", "nobody", "QuickGELU", "register_namespace",
        "NewSubfileType", "ActiveArea", "AnalogBalance", "CameraCalibration", "ColorMatrix",
        "DefaultScale", "LinearizationTable", "LightSource", "ImageSizes",
        # LibRaw's functions, cited where Curator does what they do
        "lossless_dng_load_raw", "cam_xyz_coeff",
        # maker-note tag names (ExifTool's), read by imaging/drive_mode.py
        "AutoBracketing", "BurstMode", "CameraSettings", "ContinuousDrive", "PowerShots",
        "ReleaseMode", "SequenceNumber", "ShootingMode",
    }
)  # fmt: skip
# A backticked name with one of these endings is a file's name, not a dotted name.
FILE_ENDINGS = frozenset(
    {
        "xmp", "jpg", "jpeg", "png", "tif", "tiff", "heic", "heif", "webp", "cr2", "cr3",
        "nef", "arw", "dng", "raf", "orf", "rw2", "raw", "json", "spec", "bin",
        "safetensors", "sqlite", "py", "md", "txt", "log", "lock", "toml", "sh", "ini", "cfg",
    }
)  # fmt: skip

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
DOTTED = re.compile(rf"^{NAME}(?:\.{NAME})*(?:\(.*\))?$")
PATH = re.compile(r"^[\w./-]+\.(?:py|md|toml|spec|sh|json|txt)$")
CAMEL = re.compile(r"(?<![\w.`/-])_?[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b(?![./-]\w)")
BACKTICK = re.compile(r"`([^`\n]+)`")
ROOMS = "catalog|commands|engine|export|imaging|install|interop|llm|ml|pipeline|purge|search|ui"
PROSE_DOTTED = re.compile(rf"(?<![\w.`/-])(?:curator\.)?(?:{ROOMS})(?:\.{NAME})+")
SLASHED = re.compile(r"(?<![\w./-])(?:[\w.-]+/)+[\w-]+\.(?:py|md|toml|sh|spec)\b")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    name: str
    why: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.name} — {self.why}"


@dataclass
class Index:
    """What the code defines: every name, and per curator module its own names."""

    names: set[str]
    modules: dict[str, set[str]]  # "curator.catalog.decisions" -> names defined in it


def _python_files() -> Iterator[Path]:
    for folder in CODE_DIRS:
        base = ROOT / folder
        if base.is_dir():
            yield from sorted(p for p in base.rglob("*.py") if ".venv" not in p.parts)


@functools.cache
def _parsed(path: Path) -> tuple[str, ast.Module]:
    """A file's source and syntax tree, read once per run."""
    source = path.read_text(encoding="utf-8")
    return source, ast.parse(source)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes (their words define nothing)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _defined(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[-1])
            names.update(node.name.split("."))
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            names.update(re.findall(NAME, node.value))  # SQL tables, JSON keys, states
    return names


def _top_level(tree: ast.Module) -> set[str]:
    """The names a module defines at its top level (a member of one of its classes
    is looked for among all names: `module.Class.member`)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.If | ast.Try):
            names.update(_top_level(ast.Module(body=node.body, type_ignores=[])))
    return names


def build_index() -> Index:
    names: set[str] = set()
    modules: dict[str, set[str]] = {}
    for path in _python_files():
        tree = _parsed(path)[1]
        names |= _defined(tree)
        modules[_module_name(path)] = _top_level(tree)
    names |= {part for module in modules for part in module.split(".")}
    names |= set(dir(builtins)) | set(keyword.kwlist)
    return Index(names, modules)


def _texts(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every comment and docstring of a Python file, or every
    line of a Markdown file but its generated regions (made from the code's own
    tables by scripts/docs_hooks.py: true by construction)."""
    if path.suffix == ".md":
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("<!-- generated: "):
                inside = True
            elif line.startswith("<!-- end generated -->"):
                inside = False
            elif not inside:
                yield number, line
        return
    source, tree = _parsed(path)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                doc = body[0].value.value
                if isinstance(doc, str):
                    for offset, line in enumerate(doc.splitlines()):
                        yield body[0].lineno + offset, line


def _resolve(dotted: str, index: Index) -> str | None:
    """Why a dotted name does not resolve (None when it does)."""
    parts = dotted.split(".")
    for start in ("curator.", ""):
        for cut in range(len(parts), 0, -1):
            module = start + ".".join(parts[:cut])
            if module in index.modules:
                rest = parts[cut:]
                if not rest:
                    return None
                if rest[0] in index.modules[module] or f"{module}.{rest[0]}" in index.modules:
                    return None if all(r in index.names for r in rest[1:]) else "no such member"
                return f"{module} defines no {rest[0]}"
    looks_like_a_module = parts[0] in {m.split(".")[1] for m in index.modules if "." in m}
    if looks_like_a_module and parts[0] not in index.names - {"curator"}:
        return "no such module"
    if looks_like_a_module and len(parts) > 1 and parts[0].islower():
        return "no such module"
    missing = [p for p in parts if p not in index.names]
    return f"{missing[0]} is defined nowhere" if missing else None


def _check_backticked(
    span: str, index: Index, files: set[str], bases: tuple[Path, ...] = (ROOT, PKG)
) -> str | None:
    span = span.strip()
    if PATH.match(span) and "/" in span:
        for base in bases:
            if (base / span).exists():
                return None
        return "no such file"
    if PATH.match(span) and span.endswith(".py"):
        return None if span in files else "no such file"
    if span.rsplit(".", 1)[-1].lower() in FILE_ENDINGS:
        return None  # a file name in an example ("IMG_1.CR2.xmp")
    if not DOTTED.match(span):
        return None
    name = span.split("(")[0]
    if name in index.names or name.startswith(("self.", "cls.")):
        return None
    return _resolve(name, index)


def _check_camel(word: str, index: Index) -> str | None:
    if word in index.names or word.lstrip("_") in index.names or word in ALLOWED:
        return None
    if word[:1] == "Q" and word[1:2].isupper():
        return None  # Qt's (QThreadPool…), named in comments without an import
    return "defined nowhere"


def check_all_lists(index: Index) -> Iterator[Problem]:
    for path in _python_files():
        tree = _parsed(path)[1]
        module = _module_name(path)
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                listed = ast.literal_eval(node.value)
                for name in listed:
                    own = index.modules.get(module, set())
                    if name not in own and f"{module}.{name}" not in index.modules:
                        yield Problem(path, node.lineno, name, "__all__ names it; not defined here")
                public = [
                    n.name
                    for n in tree.body
                    if isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                    and not n.name.startswith("_")
                ]
                for name in public:
                    if name not in listed:
                        yield Problem(path, node.lineno, name, "defined here, left out of __all__")


def check(index: Index) -> list[Problem]:
    problems: list[Problem] = list(check_all_lists(index))
    files = [*_python_files(), *sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
    py_names = {p.name for p in _python_files()}
    for path in files:
        if not path.exists() or path.resolve() == Path(__file__).resolve():
            continue  # this file's own docstring cites stale names as examples
        # A Markdown page's paths may be relative to its own folder (a link).
        bases = (ROOT, PKG, path.parent) if path.suffix == ".md" else (ROOT, PKG)
        for line, text in _texts(path):
            for match in BACKTICK.finditer(text):
                why = _check_backticked(match.group(1), index, py_names, bases)
                if why:
                    problems.append(Problem(path, line, match.group(1), why))
            for match in PROSE_DOTTED.finditer(BACKTICK.sub("", text)):
                dotted = match.group(0).rstrip(".")
                if dotted.rsplit(".", 1)[-1].lower() in FILE_ENDINGS:
                    continue
                why = _resolve(dotted, index)
                if why:
                    problems.append(Problem(path, line, dotted, why))
            for match in SLASHED.finditer(BACKTICK.sub("", text)):
                if not any((base / match.group(0)).exists() for base in bases):
                    problems.append(Problem(path, line, match.group(0), "no such file"))
            if path.suffix == ".md":
                continue  # prose: CamelCase there is product names and headings
            for match in CAMEL.finditer(BACKTICK.sub("", text)):
                why = _check_camel(match.group(0), index)
                if why:
                    problems.append(Problem(path, line, match.group(0), why))
    return problems


def main() -> int:
    sys.path.insert(0, str(ROOT))
    problems = check(build_index())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} stale name(s) in comments and docstrings", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
