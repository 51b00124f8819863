"""agentls.mcpServers over real LSP: the tools of a real MCP server (tests/helpers/mcp_server.py)
join the workspace tools; a server that fails to start is reported and skipped."""

import sys
from pathlib import Path

from server import commands
from tests.e2e.conftest import settings

SERVER = Path(__file__).resolve().parents[1] / "helpers" / "mcp_server.py"
INVENTORY = {"command": sys.executable, "args": [SERVER.name], "cwd": str(SERVER.parent)}
BROKEN = "agentls-no-such-mcp-server --stdio"


async def test_mcp_tools_join_the_agent_and_a_broken_server_is_skipped(editors, greet_workspace):
    options = settings("e2e_mcp_servers.jsonl", mcpServers=[INVENTORY, BROKEN], verify="none")
    editor = await editors(greet_workspace, settings=options)
    result = await editor.command(commands.RUN_TASK, {"task": "What is 2 + 3? Ask the inventory server."})
    assert result["summary"].startswith("2 + 3 = 5, says the inventory server.")
    assert result["steps"] == 2
    shown = [m.message for m in editor.client.messages]
    assert any(m.startswith(f"agentls.mcpServers: {BROKEN} was skipped: the MCP server") for m in shown), shown

    again = await editor.command(commands.RUN_TASK, {"task": "And 1 + 1?"})
    assert again["summary"].startswith("1 + 1 = 2")
    logged = [m.message for m in editor.client.log_messages]
    started = [m for m in logged if m.startswith("agentls.mcpServers: ") and " started (" in m]
    assert started == [
        f"agentls.mcpServers: {sys.executable} mcp_server.py started (add, shout_text, divide, wait, stock_level)"
    ]
    assert len([m for m in shown if BROKEN in m]) == 1  # reported once, not at every task


async def test_an_untrusted_workspace_starts_no_mcp_server_command(editors, greet_workspace):
    # A command in a workspace's own settings file would run on opening the folder.
    options = settings("e2e_mcp_untrusted.jsonl", mcpServers=[INVENTORY], trustWorkspace=False, verify="none")
    editor = await editors(greet_workspace, settings=options)
    result = await editor.command(commands.RUN_TASK, {"task": "What is 2 + 3? Ask the inventory server."})
    assert result["summary"].startswith("No inventory server in this workspace.")
    assert result["steps"] == 2  # the first step's `add(...)` failed: the agent has no such tool
    shown = [m.message for m in editor.client.messages]
    expected = f"agentls.mcpServers: {sys.executable} mcp_server.py was not started: the workspace is not trusted"
    assert [m for m in shown if m.startswith("agentls.mcpServers")] == [f"{expected} (agentls.trustWorkspace)"]
    logged = [m.message for m in editor.client.log_messages]
    assert not any(" started (" in m for m in logged), logged
