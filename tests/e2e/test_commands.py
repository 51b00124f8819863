"""The agent commands over real LSP (`agentls serve` on stdio, replayed model): each
command's edit arrives through workspace/applyEdit and lands as expected."""

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from server import commands
from tests.e2e.conftest import GREET, settings

FIXED_TOTAL = "return sum(item.quantity * item.price for item in self.items.values())"


async def test_run_task_fixes_the_example_through_apply_edit(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_run_task.jsonl"))
    editor.open("inventory/stock.py")
    result = await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    assert result["applied"] is True, result["summary"]
    assert "Fixed Stock.total_value" in result["summary"]
    assert result["steps"] == 6
    assert result["verdict"]["tests"] == "passed" and result["verdict"]["lint"] == "clean"
    assert result["tokens"]["input"] > 0
    [request] = editor.edit_requests
    assert request.label.startswith("agentls: ")
    uris = {c.text_document.uri for c in request.edit.document_changes}
    assert uris == {editor.uri("inventory/stock.py"), editor.uri("inventory/report.py")}
    versions = {c.text_document.uri: c.text_document.version for c in request.edit.document_changes}
    assert versions[editor.uri("inventory/stock.py")] == 1  # the open document, by its version
    assert versions[editor.uri("inventory/report.py")] is None  # not open: the file on disk
    assert request.edit.change_annotations["agentls"].needs_confirmation is False
    assert FIXED_TOTAL in editor.text("inventory/stock.py")
    assert "import json" not in editor.text("inventory/report.py")


async def test_confirm_edits_asks_the_editor_to_confirm(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_run_task.jsonl", confirmEdits=True))
    await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    [request] = editor.edit_requests
    assert request.edit.change_annotations["agentls"].needs_confirmation is True
    assert all(e.annotation_id == "agentls" for c in request.edit.document_changes for e in c.edits)


@pytest.mark.parametrize("profile", ["visual-studio-code", "emacs", "neovim"])
async def test_edit_selection_positions_in_every_encoding(editors, greet_workspace, profile):
    editor = await editors(greet_workspace, profile=profile, settings=settings("e2e_edit_selection.jsonl"))
    uri = editor.open("greet.py", GREET)
    line = GREET.splitlines()[1]
    start = line.index("name.upper()")
    units = {"utf-16": lambda s: len(s.encode("utf-16-le")) // 2, "utf-32": len, "utf-8": lambda s: len(s.encode())}
    width = units[editor.encoding]
    selection = {
        "start": {"line": 1, "character": width(line[:start])},
        "end": {"line": 1, "character": width(line)},
    }
    result = await editor.command(
        commands.EDIT_SELECTION, {"uri": uri, "range": selection, "instruction": "Use title() instead of upper()."}
    )
    assert result["applied"] is True, result["summary"]
    assert editor.text("greet.py") == GREET.replace("name.upper()", "name.title()")


async def test_apply_false_returns_the_edit_unapplied(editors, greet_workspace):
    editor = await editors(greet_workspace, settings=settings("e2e_edit_selection.jsonl"))
    uri = editor.open("greet.py", GREET)
    line = GREET.splitlines()[1]
    start = len(line[: line.index("name.upper()")].encode("utf-16-le")) // 2  # VS Code's utf-16 units
    end = len(line.encode("utf-16-le")) // 2
    selection = {"start": {"line": 1, "character": start}, "end": {"line": 1, "character": end}}
    arguments = {"uri": uri, "range": selection, "instruction": "Use title() instead of upper().", "apply": False}
    result = await editor.command(commands.EDIT_SELECTION, arguments)
    assert result["applied"] is False and result["edit"]["documentChanges"][0]["textDocument"]["uri"] == uri
    assert editor.edit_requests == [] and editor.text("greet.py") == GREET


async def test_fix_diagnostics_finds_ruff_problems_and_fixes_them(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_fix_diagnostics.jsonl"))
    uri = editor.open("inventory/report.py")
    result = await editor.command(commands.FIX_DIAGNOSTICS, {"uri": uri})
    assert result["applied"] is True, result["summary"]
    assert "import json" not in editor.text("inventory/report.py")


async def test_fix_diagnostics_without_problems_answers_at_once(editors, inventory):
    editor = await editors(inventory, settings=settings())  # no model configured at all
    uri = editor.open("inventory/stock.py")
    result = await editor.command(commands.FIX_DIAGNOSTICS, {"uri": uri})
    assert (result["applied"], result["summary"], result["steps"]) == (
        False,
        "No problems found in inventory/stock.py.",
        0,
    )


async def test_code_actions_are_listed_instantly_and_resolved_with_an_edit(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_improve.jsonl"))
    uri = editor.open("inventory/stock.py")
    selected = types.Range(start=types.Position(line=36, character=0), end=types.Position(line=37, character=0))
    diagnostic = types.Diagnostic(range=selected, message="wrong total", source="tests")
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=selected,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert [a.title for a in actions] == ["Fix with agentls", "Improve selection with agentls"]
    assert [a.kind for a in actions] == [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]
    assert all(a.edit is None and a.data for a in actions)  # nothing computed while listing
    resolved = await asyncio.wait_for(editor.client.code_action_resolve_async(actions[1]), 120)
    [change] = resolved.edit.document_changes
    assert change.text_document.uri == uri
    assert FIXED_TOTAL in change.edits[0].new_text
    assert editor.edit_requests == []  # resolve returns the edit; the client applies it


async def test_progress_reports_begin_steps_and_end(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_run_task.jsonl"))
    await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    [reports] = editor.client.progress_reports.values()
    kinds = [r.kind for r in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    assert kinds.count("report") >= 6  # one per step, then "checking the change"
    assert any(getattr(r, "message", "") and r.message.startswith("step 3:") for r in reports)


async def test_a_command_sent_with_its_own_progress_token_reports_on_it(editors, inventory):
    # As the VS Code extension does: it tells its commands' progress apart by token.
    editor = await editors(inventory, settings=settings("e2e_run_task.jsonl"))
    editor.client.progress_reports["vscode-1"] = []  # the client's own token: it knows it
    task = {"task": "Fix the failing test and the lint errors."}
    params = types.ExecuteCommandParams(command=commands.RUN_TASK, arguments=[task], work_done_token="vscode-1")
    result = await asyncio.wait_for(editor.client.workspace_execute_command_async(params), 120)
    assert result["applied"] is True
    assert list(editor.client.progress_reports) == ["vscode-1"]  # no window/workDoneProgress/create
    kinds = [r.kind for r in editor.client.progress_reports["vscode-1"]]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds


async def test_neovim_without_document_changes_gets_the_changes_map(editors, inventory):
    editor = await editors(inventory, profile="neovim@v0.7.0", settings=settings("e2e_run_task.jsonl"))
    editor.open("inventory/stock.py")
    result = await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    assert result["applied"] is True
    [request] = editor.edit_requests
    assert request.edit.document_changes is None and len(request.edit.changes) == 2
    assert FIXED_TOTAL in editor.text("inventory/stock.py")


async def test_a_client_without_apply_edit_gets_the_edit_in_the_result(editors, inventory):
    capabilities = client_capabilities("visual-studio-code")
    capabilities.workspace.apply_edit = False
    editor = await editors(inventory, capabilities=capabilities, settings=settings("e2e_run_task.jsonl"))
    result = await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    assert result["applied"] is False and result["edit"] is not None
    assert "cannot apply" in result["summary"]
    assert editor.edit_requests == []
    assert "+ item.price" in (inventory / "inventory" / "stock.py").read_text()


async def test_an_edit_the_user_declines_is_reported_not_applied(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_run_task.jsonl"), accept_edits=False)
    result = await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    assert result["applied"] is False and "did not apply" in result["summary"]
    assert "+ item.price" in editor.text("inventory/stock.py")


async def test_background_mode_for_clients_that_time_out(editors, inventory):
    editor = await editors(
        inventory,
        profile="emacs",
        client_name="Eglot",
        settings={**settings("e2e_run_task.jsonl"), "backgroundCommands": "auto"},
    )
    result = await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    assert result["started"] is True and result["taskId"] == 1
    for _ in range(600):
        if editor.client.messages:
            break
        await asyncio.sleep(0.1)
    assert editor.client.messages[-1].message.startswith("agentls: Fix the failing test and the lint errors. (applied)")
    assert FIXED_TOTAL in editor.text("inventory/stock.py")


async def test_explain_answers_in_text_and_changes_nothing(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_explain.jsonl"))
    uri = editor.open("inventory/stock.py")
    selected = {"start": {"line": 34, "character": 0}, "end": {"line": 37, "character": 0}}
    result = await editor.command(commands.EXPLAIN, {"uri": uri, "range": selected})
    assert result["explanation"].startswith("`total_value` adds each item's quantity to its price")
    assert result["applied"] is False and result["edit"] is None and result["steps"] == 2
    assert editor.edit_requests == []
    logged = [m.message for m in editor.client.log_messages]
    assert any("step 1: Let me see the class." in m for m in logged)


async def test_a_client_without_work_done_progress_gets_log_messages(editors, inventory):
    capabilities = client_capabilities("neovim@v0.7.0")
    capabilities.window.work_done_progress = False
    editor = await editors(inventory, capabilities=capabilities, settings=settings("e2e_run_task.jsonl"))
    result = await editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    assert result["applied"] is True
    assert editor.client.progress_reports == {}
    logged = [m.message for m in editor.client.log_messages]
    assert any(m.startswith("Fix the failing test and the lint errors.: step 1:") for m in logged)
    assert any(m.endswith(": starting") for m in logged)
