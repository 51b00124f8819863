"""The agentls.mcpServers setting: its forms, and its problems as the user reads them."""

import json

from agent.redaction import redact
from server.config import MCPServer, parse_settings, register_setting_secrets


def test_servers_as_command_lines_urls_and_objects():
    raw = {
        "mcpServers": [
            "npx -y @modelcontextprotocol/server-filesystem /tmp",
            {"url": "http://localhost:8000/mcp"},
            {"command": "python", "args": ["server.py"], "env": {"LEVEL": "debug"}},
        ]
    }
    settings, problems = parse_settings({"agentls": raw})
    assert problems == []
    short, http, stdio = settings.mcp_servers
    assert short == "npx -y @modelcontextprotocol/server-filesystem /tmp"
    assert http.parameters() == {"url": "http://localhost:8000/mcp", "headers": None}
    assert stdio.parameters() == {"command": "python", "args": ["server.py"], "env": {"LEVEL": "debug"}, "cwd": None}
    assert parse_settings({"agentls": {"mcpServers": "uvx mcp-server-time"}})[0].mcp_servers == ("uvx mcp-server-time",)


def test_a_bad_entry_is_named_by_its_number_and_the_other_settings_stay():
    raw = {"agentls": {"maxSteps": 5, "mcpServers": ["uvx mcp-server-time", {"command": "x", "url": "http://h"}]}}
    settings, [problem] = parse_settings(raw)
    assert settings.max_steps == 5 and settings.mcp_servers == ()
    assert problem == (
        "agentls.mcpServers = (hidden) is invalid (Value error, server 2: give either a command (stdio) "
        "or a url (streamable HTTP), not both); using ()"
    )
    _, [typo] = parse_settings({"agentls": {"mcpServers": [{"comand": "x"}]}})
    assert "server 1: comand: Extra inputs are not permitted" in typo


def test_keys_in_an_mcp_servers_headers_or_environment_never_reach_the_logs():
    server = {"command": "mcp-github", "env": {"GITHUB_TOKEN": "ghp_secret_1234567890", "LEVEL": "verbose-debug"}}
    remote = {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer sk-remote-987654321"}}
    settings, _ = parse_settings({"agentls": {"mcpServers": [server, remote]}})
    assert isinstance(settings.mcp_servers[0], MCPServer)
    assert "sk-remote" not in repr(settings) and "ghp_secret" not in repr(settings)
    shown = redact("failed with ghp_secret_1234567890 and Bearer sk-remote-987654321 at verbose-debug")
    assert "ghp_secret" not in shown and "sk-remote" not in shown
    assert "verbose-debug" in shown  # not a key: LEVEL is not a credential's name


def test_keys_in_mcp_servers_are_secrets_as_soon_as_a_message_carries_them():
    # pygls logs initialize's params (at INFO) before the settings are parsed.
    servers = [
        {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer sk-header-5550001111"}},
        {"command": "mcp-x", "env": {"SERVICE_TOKEN": "tok-env-5550002222", "LEVEL": "loud-and-clear"}},
    ]
    message = {"method": "initialize", "params": {"initializationOptions": {"agentls": {"mcpServers": servers}}}}
    register_setting_secrets(message)
    shown = redact(json.dumps(message))
    assert "sk-header" not in shown and "tok-env" not in shown
    assert "loud-and-clear" in shown
