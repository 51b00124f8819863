"""How the server behaves around the agent: cancellation, stale documents, busy
documents, settings, and bad requests, over real LSP."""

import asyncio
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from server import commands
from tests.e2e.conftest import settings


async def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


def execute(editor, command: str, arguments: dict, msg_id: str):
    params = types.ExecuteCommandParams(command=command, arguments=[arguments])
    request = editor.client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id)
    return asyncio.ensure_future(request)  # sent now, awaited later


def progress_began(editor) -> bool:
    return any(r and r[0].kind == "begin" for r in editor.client.progress_reports.values())


async def test_cancel_request_stops_the_agent_promptly_and_applies_nothing(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_slow.jsonl"))
    uri = editor.open("inventory/stock.py")
    before = editor.text("inventory/stock.py")
    running = execute(editor, commands.RUN_TASK, {"task": "Take your time.", "uri": uri}, msg_id="slow-1")
    await wait_for(lambda: progress_began(editor))
    await asyncio.sleep(1.0)  # the agent is now inside its minute-long step
    started = time.monotonic()
    editor.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-1"))
    with pytest.raises(JsonRpcException, match="cancel"):
        await asyncio.wait_for(running, 10)
    assert time.monotonic() - started < 2
    # The document is free again at once, and nothing was applied.
    await wait_for(lambda: any(r and r[-1].kind == "end" for r in editor.client.progress_reports.values()), 10)
    result = await editor.command(commands.FIX_DIAGNOSTICS, {"uri": uri})
    assert result["summary"] == "No problems found in inventory/stock.py."
    assert editor.edit_requests == [] and editor.text("inventory/stock.py") == before


async def test_a_second_task_on_a_busy_document_is_refused_clearly(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_slow.jsonl"))
    uri = editor.open("inventory/stock.py")
    running = execute(editor, commands.RUN_TASK, {"task": "Take your time.", "uri": uri}, msg_id="slow-2")
    await wait_for(lambda: progress_began(editor))
    with pytest.raises(JsonRpcException, match="already working on inventory/stock.py"):
        await editor.command(commands.RUN_TASK, {"task": "Something else.", "uri": uri})
    result = await editor.command(commands.CANCEL_ALL, {})
    assert result == {"cancelled": 1}
    outcome = await asyncio.wait_for(running, 10)
    assert outcome["applied"] is False and "Cancelled" in outcome["summary"]


async def test_the_progress_cancel_button_stops_the_task(editors, inventory):
    editor = await editors(inventory, settings=settings("e2e_slow.jsonl"))
    uri = editor.open("inventory/stock.py")  # the same request as the other e2e_slow.jsonl tests
    running = execute(editor, commands.RUN_TASK, {"task": "Take your time.", "uri": uri}, msg_id="slow-3")
    await wait_for(lambda: progress_began(editor))
    [token] = editor.client.progress_reports
    editor.client.protocol.notify(
        types.WINDOW_WORK_DONE_PROGRESS_CANCEL, types.WorkDoneProgressCancelParams(token=token)
    )
    result = await asyncio.wait_for(running, 10)
    assert result["applied"] is False and "Cancelled" in result["summary"]


async def typed_while_working(editors, inventory, change):
    """Start the fix on the open stock.py, then let the user type `change` into it."""
    editor = await editors(inventory, settings=settings("e2e_run_task.jsonl"))
    editor.open("inventory/stock.py")
    running = editor.command(commands.RUN_TASK, {"task": "Fix the failing test and the lint errors."})
    task = asyncio.ensure_future(running)
    await wait_for(lambda: progress_began(editor))
    editor.type_text("inventory/stock.py", change(editor.text("inventory/stock.py")), jump=3)
    return editor, await task


async def test_a_user_edit_elsewhere_in_the_file_is_kept_and_the_agent_edit_rebased(editors, inventory):
    editor, result = await typed_while_working(
        editors, inventory, lambda text: text.replace('"""Items in stock', '"""All the items in stock')
    )
    assert result["applied"] is True, result["summary"]
    text = editor.text("inventory/stock.py")
    assert "All the items in stock" in text and "item.quantity * item.price" in text
    [request] = editor.edit_requests
    stock = [c for c in request.edit.document_changes if c.text_document.uri.endswith("stock.py")][0]
    assert stock.text_document.version == 4  # the version after the user's edit (jumped by 3)


async def test_a_user_edit_on_the_same_lines_is_refused_not_overwritten(editors, inventory):
    editor, result = await typed_while_working(
        editors, inventory, lambda text: text.replace("item.quantity + item.price", "item.quantity + item.price + 0")
    )
    assert result["applied"] is False
    assert "edited on the same lines" in result["summary"]
    assert "item.quantity + item.price + 0" in editor.text("inventory/stock.py")
    assert editor.edit_requests == []


async def test_invalid_settings_are_reported_and_replaced_by_defaults(editors, inventory):
    editor = await editors(inventory, settings={"maxSteps": -3, "confirmEdit": True, "model": "openai/gpt-4o-mini"})
    await wait_for(lambda: editor.client.messages)
    message = editor.client.messages[0]
    assert message.type == types.MessageType.Warning
    assert "agentls.maxSteps = -3 is invalid" in message.message and "using 20" in message.message
    logged = [m.message for m in editor.client.log_messages]
    assert any(
        "agentls.confirmEdit is not a setting (ignored); did you mean agentls.confirmEdits?" in m for m in logged
    )


async def test_an_empty_configuration_update_keeps_the_settings(editors, inventory):
    editor = await editors(inventory, settings={"maxSteps": "lots"})
    await wait_for(lambda: editor.client.messages)
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"agentls": {"maxSteps": 0}})
    )
    await wait_for(lambda: len(editor.client.messages) >= 2)
    assert "agentls.maxSteps = 0 is invalid" in editor.client.messages[1].message


@pytest.mark.parametrize(
    "arguments, error",
    [
        ([], "expected one object argument"),
        (["a string"], "expected one object argument"),
        ([{"task": ""}], "task: String should have at least 1 character"),
        ([{"task": "x", "uri": "file:///etc/passwd"}], "is not a file inside the workspace"),
        ([{"task": "x", "colour": "red"}], "colour: Extra inputs are not permitted"),
        ([{"uri": "file:///nowhere.py", "range": "everything", "instruction": "x"}], "range: Input should be"),
    ],
)
async def test_malformed_commands_get_errors_and_the_server_keeps_serving(editors, inventory, arguments, error):
    editor = await editors(inventory, settings=settings())
    command = commands.EDIT_SELECTION if arguments and "range" in arguments[0] else commands.RUN_TASK
    with pytest.raises(JsonRpcException, match=error):
        await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=arguments)
        )
    result = await editor.command(commands.FIX_DIAGNOSTICS, {"uri": editor.uri("inventory/stock.py")})
    assert result["summary"] == "No problems found in inventory/stock.py."


async def test_unknown_commands_and_uris_outside_the_workspace(editors, inventory):
    editor = await editors(inventory, settings=settings())
    with pytest.raises(JsonRpcException, match="not defined"):
        await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(command="agentls.nope"))
    actions = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri="file:///etc/passwd"),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=1, character=0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions


async def test_no_model_available_is_a_clear_error(editors, inventory, tmp_path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "OLLAMA_HOST": "http://127.0.0.1:9",  # nothing listens there
        "AGENTLS_LOCAL_MODEL": str(tmp_path / "missing.gguf"),  # the embedded model is not there either
    }
    editor = await editors(inventory, settings=settings(), env=environment)
    with pytest.raises(JsonRpcException, match="No model is available"):
        await editor.command(commands.RUN_TASK, {"task": "Anything."})
