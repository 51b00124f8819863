"""The verdict on a change before it reaches the editor: lint, and tests on the shadow copy.

Tests run only in a trusted workspace (and with the setting agentls.verify =
"tests"). The agent's own last run counts when nothing changed since. When the
tests fail with the change, they are run once without it: a change that makes
passing tests fail is not applied (`broke_tests`); tests that failed before are
the task's business, not a reason to refuse.
"""

from dataclasses import dataclass

from tools import lint
from tools.toolset import ToolContext
from tools.workspace import Workspace, WorkspaceError


@dataclass
class Verdict:
    tests: str = "not run"  # passed, failed, no tests, timed out, not run
    lint: str = "not run"  # clean, or "N problems"
    tests_before: str | None = None  # the run without the change, when there was one
    details: str = ""

    @property
    def broke_tests(self) -> bool:
        return self.tests_before == "passed" and self.tests not in ("passed", "not run", "no tests")

    def as_dict(self) -> dict:
        data = {"tests": self.tests, "lint": self.lint, "details": self.details}
        if self.tests_before is not None:
            data["testsBefore"] = self.tests_before
        return data


def verify(context: ToolContext, mode: str) -> Verdict:
    verdict = Verdict()
    changes = context.workspace.changes()
    if not changes or mode == "none":
        return verdict
    python_files = [c.path for c in changes if c.after is not None and c.path.endswith((".py", ".pyi"))]
    if python_files:
        problems = [d for path in python_files for d in lint.lint(context.workspace, path)]
        verdict.lint = "clean" if not problems else f"{len(problems)} problems"
        if problems:
            verdict.details = lint.describe(problems)
    if mode != "tests" or not context.settings.trusted:
        return verdict
    try:
        report = context.last_test_report
        if report is None or context.last_test_revision != context.workspace.revision:
            report = context.run_tests()
        verdict.tests = report.verdict
        if report.verdict not in ("passed", "no tests"):
            before = context.run_tests(workspace=_without_changes(context.workspace))
            verdict.tests_before = before.verdict
            verdict.details = (verdict.details + "\n" + report.describe()).strip()
    except WorkspaceError as e:
        verdict.tests, verdict.details = "not run", str(e)
    return verdict


def _without_changes(workspace: Workspace) -> Workspace:
    """The same workspace as the editor has it, without the agent's edits."""
    original = Workspace(workspace.root)
    for path, text in workspace.effective_overlay().items():
        if path not in workspace.overlay_paths() and text is not None:
            original.open_buffer(path, text, workspace.version(path))
    return original
