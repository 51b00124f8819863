"""The workspace tools as the agent calls them, bound to one workspace.

    context = ToolContext(Workspace(root), ToolSettings(trusted=True))
    agent = CodeAgent(tools=workspace_tools(context), model=...)

Names are fixed by the design (read_file, list_files, search, find_definition,
find_references, outline, lint, format, run_tests, edit_file, write_file,
undo_edit). Each tool is a thin wrapper: the work is in files.py, navigation.py,
lint.py, testing.py and edits.py, where it is tested directly. Errors the model
can fix (a bad path, an edit that does not match) are raised as WorkspaceError
or EditError; the agent shows them to the model as the step's observation.
"""

import threading
from dataclasses import dataclass

from agent import Tool, tool
from tools import files, navigation, testing
from tools import lint as ruff
from tools.edits import apply_search_replace, split_lines
from tools.shadow import ShadowCopy
from tools.workspace import Workspace, WorkspaceError


@dataclass
class ToolSettings:
    python: str | None = None  # the workspace's interpreter for tests and jedi
    test_command: list[str] | None = None  # instead of `python -m pytest -x -q`
    test_timeout: float = testing.DEFAULT_TIMEOUT
    trusted: bool = False  # run_tests runs the workspace's code: only when trusted
    lint_guard: bool = True


class ToolContext:
    """A workspace, its settings, its shadow copy and a cancellation flag."""

    def __init__(self, workspace: Workspace, settings: ToolSettings | None = None, shadow: ShadowCopy | None = None):
        self.workspace = workspace
        self.settings = settings or ToolSettings()
        self.cancelled = threading.Event()
        self._shadow = shadow  # shared with other tasks on the same root, or made on first use
        self._owns_shadow = shadow is None
        self.last_test_report: testing.TestReport | None = None
        self.last_test_revision = -1  # the workspace revision the last report is about

    @property
    def shadow(self) -> ShadowCopy:
        if self._shadow is None:
            self._shadow = ShadowCopy(self.workspace.root)
        return self._shadow

    def run_tests(self, selection: str | None = None, workspace: Workspace | None = None) -> testing.TestReport:
        """Tests on the shadow copy with `workspace`'s overlay (default: this task's)."""
        if not self.settings.trusted:
            raise WorkspaceError(
                "run_tests is off: this workspace is not trusted (setting agentls.trustWorkspace), "
                "and tests run the workspace's own code"
            )
        view = workspace or self.workspace
        with self.shadow.lock:  # one test run at a time on the shared copy
            report = testing.run_tests(
                view,
                self.shadow.sync(view),
                selection,
                python=self.settings.python,
                command=self.settings.test_command,
                timeout=self.settings.test_timeout,
                cancelled=self.cancelled,
            )
        if view is self.workspace and not selection:
            self.last_test_report, self.last_test_revision = report, self.workspace.revision
        return report

    def edit(self, path: str, new_text: str) -> None:
        """Write through the lint guard into the overlay."""
        ws = self.workspace
        before = ws.read_text(path) if ws.exists(path) else None
        if self.settings.lint_guard:
            ruff.guard_edit(ws, ws.relative(path), before, new_text)
        ws.write_text(path, new_text)

    def close(self) -> None:
        if self._shadow is not None and self._owns_shadow:
            self._shadow.close()


def workspace_tools(context: ToolContext) -> list[Tool]:
    ws = context.workspace
    python = context.settings.python

    @tool
    def read_file(path: str, start_line: int | None = None, end_line: int | None = None) -> str:
        """Show a file with line numbers, about 100 lines at a time; the header says which lines of how many.

        Args:
            path: Workspace-relative path.
            start_line: First line to show (1-based); default 1.
            end_line: Last line to show; default start_line + 99.
        """
        return files.view_file(ws, path, start_line, end_line)

    @tool
    def list_files(path: str | None = None, pattern: str | None = None) -> str:
        """List workspace files (respecting .gitignore).

        Args:
            path: Folder to list; default the whole workspace.
            pattern: Glob on the path or file name, e.g. "*.py" or "tests/test_*.py".
        """
        return files.list_paths(ws, path, pattern)

    @tool
    def search(pattern: str, path: str | None = None, regex: bool = False) -> str:
        """Find lines containing a text, grouped by file with line numbers.

        Args:
            pattern: The text to find (a regular expression if regex=True).
            path: File or folder to search; default the whole workspace.
            regex: Treat pattern as a Python regular expression.
        """
        return files.search_text(ws, pattern, path, regex)

    @tool
    def find_definition(symbol: str) -> str:
        """Where a name is defined: give a name ("parse_config", "Config.load") or a place "path:line:column".

        Args:
            symbol: A name, or path:line:column of a use of it.
        """
        return navigation.find_definition(ws, symbol, python)

    @tool
    def find_references(symbol: str) -> str:
        """Where a name is used across the workspace.

        Args:
            symbol: A name, or path:line:column of it.
        """
        return navigation.find_references(ws, symbol, python)

    @tool
    def outline(path: str) -> str:
        """The classes and functions of a Python file, with signatures and line numbers.

        Args:
            path: Workspace-relative path of a .py file.
        """
        return navigation.outline(ws, path)

    @tool
    def lint(path: str | None = None) -> str:
        """Run ruff: problems with file, line, code and message.

        Args:
            path: File or folder; default the whole workspace.
        """
        return ruff.describe(ruff.lint(ws, path))

    @tool
    def format(path: str) -> str:
        """Format a Python file with ruff (the project's settings).

        Args:
            path: Workspace-relative path of a .py file.
        """
        text = ws.read_text(path)
        formatted = ruff.format_text(ws, path, text)
        if formatted == text:
            return f"{ws.relative(path)} is already formatted."
        context.edit(path, formatted)
        return f"Formatted {ws.relative(path)}."

    @tool
    def run_tests(selection: str | None = None) -> str:
        """Run the tests (pytest -x -q) on the workspace with your edits; stops at the first failure.

        Args:
            selection: Which tests, as for pytest: "tests/test_app.py", "tests/test_app.py::test_add" or "-k add".
        """
        return context.run_tests(selection).describe()

    @tool
    def edit_file(path: str, search: str, replace: str) -> str:
        """Replace one block of lines in a file. Copy the search lines exactly from the file; a few lines of
        context make them unique.

        Args:
            path: Workspace-relative path.
            search: The lines to replace, as they are in the file.
            replace: The new lines.
        """
        text = ws.read_text(path)
        new_text = apply_search_replace(text, search, replace)
        context.edit(path, new_text)
        return _show_change(ws, path, text, new_text)

    @tool
    def write_file(path: str, text: str) -> str:
        """Create a file, or replace a whole (small) file.

        Args:
            path: Workspace-relative path.
            text: The complete new content.
        """
        existed = ws.exists(path)
        context.edit(path, text)
        verb = "Rewrote" if existed else "Created"
        return f"{verb} {ws.relative(path)} ({len(split_lines(text))} lines)."

    @tool
    def undo_edit(path: str) -> str:
        """Take back your last edit of a file.

        Args:
            path: Workspace-relative path.
        """
        ws.undo(path)
        return f"Undid the last edit of {ws.relative(path)}."

    tools = [read_file, list_files, search, find_definition, find_references, outline, lint, format]
    tools += [edit_file, write_file, undo_edit]
    if context.settings.trusted:
        tools.append(run_tests)
    return tools


def _show_change(ws: Workspace, path: str, before: str, after: str) -> str:
    """The edited region, numbered, so the model sees the result without reading again."""
    old, new = split_lines(before), split_lines(after)
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    tail = 0
    while tail < min(len(old), len(new)) - first and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start, end = max(0, first - 2), min(len(new), len(new) - tail + 2)
    shown = "\n".join(f"{n + 1:>5}│ {new[n].rstrip(chr(13) + chr(10))}" for n in range(start, end))
    return f"Edited {ws.relative(path)}; lines {start + 1}–{end} now read:\n{shown}"
