"""Code navigation: definitions and references with jedi, outlines with ast.

jedi analyses the file being asked about with the agent's view of its text (the
overlay); other files it reads from disk. It is told about the workspace's
interpreter, so definitions in the project's installed packages resolve. The
outline uses Python's own parser: exact signatures, fast, and it works on
half-edited text as long as it parses.
"""

import ast
import re
from functools import cache

from tools.workspace import Workspace, WorkspaceError

MAX_RESULTS = 30
_LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<column>\d+))?$")


@cache
def _project(root: str, python: str | None):
    import jedi

    environment_path = None
    if python:
        try:
            environment_path = jedi.create_environment(python, safe=False).path
        except Exception:  # jedi raises InvalidPythonEnvironment and others; fall back to ours
            environment_path = None
    return jedi.Project(root, environment_path=environment_path)


def _script(ws: Workspace, path: str, python: str | None):
    import jedi

    return jedi.Script(code=ws.read_text(path), path=str(ws.resolve(path)), project=_project(str(ws.root), python))


def _locate(ws: Workspace, symbol: str, python: str | None):
    """jedi names for `symbol`: "path:line:col" (the name at that place) or a bare name."""
    match = _LOCATION.match(symbol.strip())
    if match:
        script = _script(ws, match["path"], python)
        line, column = int(match["line"]), max(0, int(match["column"] or 1) - 1)
        try:
            return script, script.goto(line, column, follow_imports=True, follow_builtin_imports=False)
        except ValueError as e:  # line or column out of range
            raise WorkspaceError(f"{symbol}: {e}") from None
    name = symbol.strip().split(".")[-1]
    if not name.isidentifier():
        raise WorkspaceError(f"{symbol!r} is neither a name nor path:line:column")
    found = _project(str(ws.root), python).search(name, all_scopes=True)
    return None, [n for n in found if n.type in ("class", "function", "statement", "module", "param", "instance")]


def _where(ws: Workspace, name) -> str:
    if name.module_path is None:
        return f"(builtin) {name.full_name or name.name}"
    try:
        path = ws.relative(name.module_path)
    except WorkspaceError:
        path = str(name.module_path)  # in an installed package
    line = name.line or 0
    code = name.get_line_code().strip() if name.line else ""
    return f"{path}:{line}: {code}"


def find_definition(ws: Workspace, symbol: str, python: str | None = None) -> str:
    _, names = _locate(ws, symbol, python)
    if not names:
        return f"No definition found for {symbol!r}."
    lines = sorted({_where(ws, n) for n in names})[:MAX_RESULTS]
    return "\n".join(lines)


def find_references(ws: Workspace, symbol: str, python: str | None = None) -> str:
    script, names = _locate(ws, symbol, python)
    definitions = [n for n in names if n.module_path is not None and n.line]
    if not definitions:
        return f"No definition found for {symbol!r}, so no references."
    target = definitions[0]
    if script is None or target.module_path != script.path:
        script = _script(ws, str(target.module_path), python)
    references = script.get_references(target.line, target.column, scope="project")
    lines = sorted({_where(ws, n) for n in references})
    more = f"\n… and {len(lines) - MAX_RESULTS} more" if len(lines) > MAX_RESULTS else ""
    return f"{len(lines)} references to {target.name}:\n" + "\n".join(lines[:MAX_RESULTS]) + more


def outline(ws: Workspace, path: str) -> str:
    """Classes and functions of a Python file with their signatures and line numbers."""
    rel = ws.relative(path)
    if not rel.endswith((".py", ".pyi")):
        raise WorkspaceError(f"outline works on Python files; {rel} is not one")
    try:
        tree = ast.parse(ws.read_text(path))
    except SyntaxError as e:
        raise WorkspaceError(f"{rel} does not parse (line {e.lineno}: {e.msg}); read it instead") from None
    lines: list[str] = []
    _outline(tree.body, 0, lines)
    return f"{rel}:\n" + ("\n".join(lines) if lines else "(no classes or functions)")


def _outline(body: list[ast.stmt], depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    for node in body:
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            lines.append(f"{indent}{node.lineno}: class {node.name}" + (f"({bases})" if bases else ""))
            _outline(node.body, depth + 1, lines)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            lines.append(f"{indent}{node.lineno}: {prefix} {node.name}({ast.unparse(node.args)}){returns}")
