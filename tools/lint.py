"""ruff, on what the agent sees: lint diagnostics, formatting, and the lint guard on edits.

ruff runs as the binary its Python package ships (`ruff.__main__.find_ruff_bin`),
from agentls's environment. A file with unsaved or agent-edited text is checked
through stdin with its real path (`--stdin-filename`), so the project's ruff
configuration applies; the rest of the workspace is checked on disk.
"""

import ast
import json
import subprocess
from collections import Counter
from dataclasses import dataclass
from functools import cache

from tools.edits import EditError, split_lines
from tools.workspace import Workspace, WorkspaceError

# What an edit may not introduce: syntax errors and undefined names.
GUARD_RULES = "E9,F821,F822,F823"
MAX_DIAGNOSTICS = 50


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


@cache
def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return find_ruff_bin()


class RuffUnavailable(WorkspaceError):
    """ruff cannot be started: not installed, or its binary missing or not executable."""


def _run(ws: Workspace, arguments: list[str], stdin: str | None = None, timeout: float = 60):
    try:
        return subprocess.run(
            [ruff_binary(), *arguments],
            input=stdin,
            cwd=ws.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (ImportError, OSError) as e:  # no ruff package, binary gone, not executable
        detail = getattr(e, "strerror", None) or str(e)
        raise RuffUnavailable(
            f"ruff cannot run ({detail}); lint and format are unavailable until ruff is installed "
            "in agentls's environment (pip install ruff)"
        ) from None
    except subprocess.TimeoutExpired:
        raise WorkspaceError(f"ruff did not finish within {timeout:g} s") from None


def _parse(ws: Workspace, output: str) -> list[Diagnostic]:
    try:
        items = json.loads(output or "[]")
    except json.JSONDecodeError:
        raise WorkspaceError(f"ruff gave unreadable output: {output[:200]}") from None
    diagnostics = []
    for item in items:
        location = item.get("location") or {}
        filename = item.get("filename") or ""
        try:
            path = ws.relative(filename)
        except WorkspaceError:
            path = filename
        code = item.get("code") or "syntax-error"
        diagnostics.append(Diagnostic(path, location.get("row", 0), location.get("column", 0), code, item["message"]))
    return diagnostics


def check_text(ws: Workspace, path: str, text: str, select: str | None = None) -> list[Diagnostic]:
    """Diagnostics for `text` as if it were `path`'s content (project config applies,
    unless `select` names the rules, which then stand alone)."""
    arguments = ["check", "--output-format", "json", "--no-cache", "--exit-zero"]
    if select:
        arguments += ["--isolated", "--select", select]
    arguments += ["--stdin-filename", str(ws.resolve(path)), "-"]
    return _parse(ws, _run(ws, arguments, stdin=text).stdout)


def lint(ws: Workspace, path: str | None = None) -> list[Diagnostic]:
    """Diagnostics of the Python files under `path` (the whole workspace by default)."""
    start = ws.resolve(path or ".")
    overlay = ws.effective_overlay()
    prefix = ws.relative(start)
    in_scope = {
        rel: text for rel, text in overlay.items() if prefix == "." or rel == prefix or rel.startswith(prefix + "/")
    }
    arguments = ["check", "--output-format", "json", "--no-cache", "--exit-zero", "--force-exclude", str(start)]
    diagnostics = [d for d in _parse(ws, _run(ws, arguments).stdout) if d.path not in in_scope]
    for rel, text in sorted(in_scope.items()):
        if text is not None and rel.endswith((".py", ".pyi")):
            diagnostics += check_text(ws, rel, text)
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.column))


def format_text(ws: Workspace, path: str, text: str) -> str:
    done = _run(ws, ["format", "--no-cache", "--stdin-filename", str(ws.resolve(path)), "-"], stdin=text)
    if done.returncode != 0:
        raise WorkspaceError(f"ruff cannot format {ws.relative(path)}: {done.stderr.strip()[:500]}")
    return done.stdout


def guard_edit(ws: Workspace, path: str, before: str | None, after: str) -> None:
    """Refuse an edit that adds syntax errors or undefined names (compared with before)."""
    if not path.endswith((".py", ".pyi")):
        return
    try:
        old = Counter((d.code, d.message) for d in check_text(ws, path, before, GUARD_RULES)) if before else Counter()
        new = check_text(ws, path, after, GUARD_RULES)
    except RuffUnavailable:  # without ruff, the edits go on guarded by Python's own parser
        _guard_syntax(ws, path, before, after)
        return
    remaining = Counter(old)
    introduced = []
    for diagnostic in new:
        key = (diagnostic.code, diagnostic.message)
        if remaining[key]:
            remaining[key] -= 1
        else:
            introduced.append(diagnostic)
    if introduced:
        raise EditError(
            f"The edit was not applied: it would add {len(introduced)} error(s) to {ws.relative(path)}:\n"
            + "\n".join(_in_context(after, d) for d in introduced[:5])
            + "\nFix the edit and try again."
        )


def _guard_syntax(ws: Workspace, path: str, before: str | None, after: str) -> None:
    """Refuse an edit that breaks the syntax of a file that parsed before."""
    try:
        ast.parse(after)
    except (SyntaxError, ValueError) as e:  # ValueError: NUL bytes
        if before is None or _parses(before):
            line, column = getattr(e, "lineno", None) or 1, getattr(e, "offset", None) or 1
            diagnostic = Diagnostic(path, line, column, "syntax-error", getattr(e, "msg", str(e)))
            raise EditError(
                f"The edit was not applied: it would add a syntax error to {ws.relative(path)}:\n"
                + _in_context(after, diagnostic)
                + "\nFix the edit and try again."
            ) from None


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _in_context(text: str, diagnostic: Diagnostic, around: int = 2) -> str:
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    first, last = max(1, diagnostic.line - around), min(len(lines), diagnostic.line + around)
    shown = "\n".join(f"{'>' if n == diagnostic.line else ' '}{n:>5}│ {lines[n - 1]}" for n in range(first, last + 1))
    return f"{diagnostic.code} {diagnostic.message} (line {diagnostic.line}):\n{shown}"


def describe(diagnostics: list[Diagnostic]) -> str:
    if not diagnostics:
        return "No lint problems."
    shown = "\n".join(str(d) for d in diagnostics[:MAX_DIAGNOSTICS])
    more = f"\n… and {len(diagnostics) - MAX_DIAGNOSTICS} more" if len(diagnostics) > MAX_DIAGNOSTICS else ""
    return f"{len(diagnostics)} problem(s):\n{shown}{more}"
