"""A CodeAgent with the workspace tools fixes the example project (replayed model):
the edits land in the overlay, the tests pass on the shadow copy, the user's files
are untouched."""

import shutil
from pathlib import Path

import pytest

from agent import CodeAgent, ReplayModel
from tools.textdiff import apply_text_edits, text_edits
from tools.toolset import ToolContext, ToolSettings, workspace_tools
from tools.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def context(tmp_path):
    root = tmp_path / "inventory"
    shutil.copytree(ROOT / "examples" / "inventory", root)
    context = ToolContext(Workspace(root), ToolSettings(trusted=True))
    yield context
    context.close()


def test_agent_fixes_the_failing_test_and_the_lint_error(context):
    before = {p: p.read_bytes() for p in context.workspace.root.rglob("*") if p.is_file()}
    model = ReplayModel(ROOT / "tests" / "data" / "fix_inventory.jsonl")
    agent = CodeAgent(tools=workspace_tools(context), model=model)
    try:
        answer = agent.run("Fix the failing test and the lint errors.")
    finally:
        agent.close()
    assert "Fixed Stock.total_value" in answer
    steps = agent.memory.action_steps()
    assert [s.error for s in steps] == [None] * 6
    assert steps[0].observations.startswith("Tests failed: 1 failed, 2 passed.")
    assert "Tests passed: 4 passed." in steps[2].observations
    assert steps[4].observations.endswith("No lint problems.")
    assert context.last_test_report.verdict == "passed"

    changes = {c.path: c for c in context.workspace.changes()}
    assert set(changes) == {"inventory/stock.py", "inventory/report.py"}
    assert "item.quantity * item.price" in changes["inventory/stock.py"].after
    assert "import json" not in changes["inventory/report.py"].after
    after = {p: p.read_bytes() for p in context.workspace.root.rglob("*") if p.is_file()}
    assert after == before  # nothing written: the editor applies the change

    for change in changes.values():
        assert apply_text_edits(change.before, text_edits(change.before, change.after)) == change.after


def test_run_tests_is_not_offered_in_an_untrusted_workspace(context):
    context.settings.trusted = False
    names = {t.name for t in workspace_tools(context)}
    assert "run_tests" not in names and {"read_file", "edit_file", "lint"} <= names
