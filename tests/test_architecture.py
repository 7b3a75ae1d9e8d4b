"""The layout by stage holds: contracts, no import circles, small modules, one writer.

docs/architecture.md states the rules these tests check.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "optimizer"
ROOT = PACKAGE.parent

MAX_MODULE_LINES = 700
"""No module of the package is longer than this."""

WRITES_TO_DISK = {
    # attribute calls that write or delete files
    "write_text",
    "write_bytes",
    "mkdir",
    "unlink",
    "rmdir",
    "rename",
    "replace",
    "touch",
    "to_excel",
    "to_csv",
    "to_parquet",
    "savefig",
    "rmtree",
    "makedirs",
    "remove",
}
"""Method names that change the file system when called on a path, frame or module."""

WRITE_MODES = set("wax+")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_import_linter_contracts_are_kept():
    """`lint-imports`: the stages import only downward; solvers stay in `solving`.

    Run in its own process: import-linter reconfigures logging, which would silence the
    package's loggers for the tests that follow."""
    pytest.importorskip("importlinter")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command(['--no-cache']))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_import_circles():
    """No chain of imports (module level or inside a function) leads back to its start."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("optimizer")
    modules = sorted(m for m in graph.modules if m.startswith("optimizer"))
    circles = []
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith("optimizer") or imported == module:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                circles.append(" → ".join([module, *back]))
    assert circles == []


def test_no_module_is_too_long():
    long = {
        _relative(p): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def _local_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(inner)
    return found


def test_no_function_local_import_of_our_own_modules_and_every_other_has_a_reason():
    """A local import of one of our modules only hides a circle; a lazy import of a
    heavy optional library is fine, with its reason in a comment on the line."""
    problems = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in _local_imports(ast.parse(source)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            where = f"{_relative(path)}:{node.lineno}"
            if any(n == "optimizer" or n.startswith("optimizer.") for n in names) or (
                isinstance(node, ast.ImportFrom) and node.level > 0
            ):
                problems.append(f"{where} imports our own module inside a function")
            elif "#" not in lines[node.lineno - 1]:
                problems.append(f"{where} lazy import without a reason")
    assert problems == []


def _writes(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITES_TO_DISK:
            # str.replace / dict.replace / dataclasses.replace take no path: only flag
            # calls on names that look like paths or on os / shutil / pathlib objects.
            if func.attr in {"replace", "remove", "rename"}:
                owner = func.value
                if not (isinstance(owner, ast.Name) and owner.id in {"os", "shutil"}):
                    continue
            # frame.to_csv() without a target returns the text; it writes nothing
            targets = {"path_or_buf", "excel_writer", "path"}
            if func.attr.startswith("to_") and not (
                node.args or any(k.arg in targets for k in node.keywords)
            ):
                continue
            found.append((node.lineno, func.attr))
        elif isinstance(func, ast.Name) and func.id == "open":
            target = ast.unparse(node.args[0]) if node.args else ""
            if target == "os.devnull":  # silencing a library's output writes no file
                continue
            mode = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "mode":
                    mode = keyword.value
            if isinstance(mode, ast.Constant) and WRITE_MODES & set(str(mode.value)):
                found.append((node.lineno, "open for writing"))
    return found


def test_only_the_outputs_stage_writes_files():
    """Every file a run leaves behind is written by `optimizer/outputs/` (atomically).
    The solver's own scratch files live in a temporary folder that is removed."""
    outputs = PACKAGE / "outputs"
    problems = []
    for path in _modules():
        if outputs in path.parents:
            continue
        for line, what in _writes(ast.parse(path.read_text(encoding="utf-8"))):
            problems.append(f"{_relative(path)}:{line} {what}")
    assert problems == []


def test_the_write_check_sees_a_write():
    """The check above is not vacuous: it flags the forms of writing it looks for."""
    code = (
        "def f(p, frame):\n"
        "    p.write_text('x')\n"
        "    frame.to_excel(p)\n"
        "    open(p, 'wb')\n"
        "    os.replace(p, p)\n"
        "    'a'.replace('a', 'b')\n"
        "    text = frame.to_csv()\n"
        "    open(os.devnull, 'w')\n"
    )
    assert [what for _, what in _writes(ast.parse(code))] == [
        "write_text",
        "to_excel",
        "open for writing",
        "replace",
    ]


def _unannotated(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("_"):
            continue
        arguments = node.args
        names = [
            a.arg
            for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            if a.annotation is None and a.arg not in {"self", "cls"}
        ]
        names += [
            a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None and not a.annotation
        ]
        if node.returns is None:
            names.append("return")
        if names:
            found.append((node.lineno, f"{node.name}: {', '.join(names)}"))
    return found


def test_public_functions_carry_type_annotations():
    """Every public function annotates its arguments and its return (mypy checks them)."""
    missing = [
        f"{_relative(path)}:{line} {what}"
        for path in _modules()
        for line, what in _unannotated(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert missing == []
