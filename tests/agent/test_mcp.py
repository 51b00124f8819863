"""MCP servers as tools: a real server written with the `mcp` package
(tests/helpers/mcp_server.py), started over stdio (and streamable HTTP) by the test."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import CodeAgent, ExternalToolError, ReplayModel, ToolArgumentError, ToolCollection
from agent.mcp_client import CLOSE_TIMEOUT, MCPConnection

DATA = Path(__file__).parent.parent / "data"
SERVER = Path(__file__).parent.parent / "helpers" / "mcp_server.py"
# Run from its folder, so that the server's name in messages (and in the recording) is the same anywhere.
COMMAND = {"command": sys.executable, "args": [SERVER.name], "cwd": str(SERVER.parent)}


@pytest.fixture(scope="module")
def inventory():
    with ToolCollection.from_mcp(COMMAND, trust_remote_code=True) as collection:
        yield {tool.name: tool for tool in collection.tools}


def test_every_mcp_tool_becomes_an_agent_tool_with_its_schema(inventory):
    assert sorted(inventory) == ["add", "divide", "shout_text", "stock_level", "wait"]
    assert inventory["add"].to_signature() == 'def add(a: int, b: int) -> int:\n    """Add two integers."""'
    assert inventory["shout_text"].remote_name == "shout-text"
    parameters = inventory["shout_text"].to_tool_schema()["function"]["parameters"]
    assert parameters["required"] == ["text"]
    assert parameters["properties"]["times"] == {"type": "integer", "description": "", "default": 1}


def test_calls_return_the_tools_results(inventory):
    assert inventory["add"](2, 3) == 5
    assert inventory["shout_text"](text="hi") == "HI"
    assert inventory["shout_text"](text="hi", times=2) == "HI HI"
    assert inventory["divide"](a=1, b=4) == 0.25


def test_a_tool_error_and_bad_arguments_are_clear(inventory):
    with pytest.raises(ExternalToolError, match="divide failed: .*cannot divide by zero"):
        inventory["divide"](a=1, b=0)
    with pytest.raises(ToolArgumentError, match="argument 'a'"):
        inventory["add"](a="two", b=3)


def test_a_call_that_takes_too_long_times_out_and_the_server_stays_usable():
    with ToolCollection.from_mcp(COMMAND, trust_remote_code=True, call_timeout=0.5) as collection:
        tools = {tool.name: tool for tool in collection.tools}
        with pytest.raises(
            ExternalToolError, match="wait: the MCP server python mcp_server.py did not answer within 0.5 s"
        ):
            tools["wait"](seconds=5)
        assert tools["wait"](seconds=0) == "waited 0.0 s"


def test_code_agent_uses_mcp_tools_and_goes_on_when_the_server_crashes():
    model = ReplayModel(DATA / "code_agent_mcp.jsonl")
    with ToolCollection.from_mcp(COMMAND, trust_remote_code=True) as collection:
        agent = CodeAgent(tools=collection.tools, model=model)
        try:
            answer = agent.run("How many items in total (2 + 3), and how many widgets in stock?")
        finally:
            agent.close()
        with pytest.raises(
            ExternalToolError, match=r"add: the MCP server python mcp_server.py is not running \(it stopped\)"
        ):
            collection.tools[0](1, 1)
    assert answer == "total 5; stock unknown (the inventory server stopped)"
    first, crashed, last = agent.memory.action_steps()
    assert first.observations == "TOTAL 5"
    error = str(crashed.error)
    assert "stock_level: the MCP server python mcp_server.py failed" in error and "it stopped" in error
    assert "the stock database is corrupt" in error  # its last words on stderr
    assert last.is_final_answer and model.remaining == 0
    assert "def stock_level(item: str) -> int:" in model.calls[0]["request"]["messages"][0]["content"]


def test_the_collection_stops_the_server_on_exit():
    with ToolCollection.from_mcp(COMMAND, trust_remote_code=True) as collection:
        add = collection.tools[0]
        assert add(1, 1) == 2
    with pytest.raises(ExternalToolError, match="is not running"):
        add(1, 1)


def running(marker: str) -> list[int]:
    """The processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile
            pass
    return found


def test_a_server_that_never_answers_fails_within_its_timeout_and_is_stopped():
    marker = f"agentls-mute-mcp-{os.getpid()}"
    command = {"command": sys.executable, "args": ["-c", f"import time; time.sleep(60)  # {marker}"]}
    started = time.monotonic()
    with pytest.raises(ConnectionError, match="did not start within 1 s"):
        MCPConnection(command, connect_timeout=1)
    assert time.monotonic() - started < 1 + CLOSE_TIMEOUT
    assert running(marker) == []  # not left behind


def test_a_server_that_died_while_idle_is_noticed_before_the_next_call():
    marker = f"agentls-idle-mcp-{os.getpid()}"
    connection = MCPConnection({**COMMAND, "args": [SERVER.name, marker]})  # the marker finds its process
    try:
        assert connection.alive()
        [pid] = running(marker)
        os.kill(pid, signal.SIGKILL)
        assert not connection.alive()
        assert connection.ended.startswith("it stopped answering")
        with pytest.raises(ExternalToolError, match="is not running"):
            connection.call("add", {"a": 1, "b": 1})
    finally:
        connection.close()


def test_loading_mcp_tools_needs_trust():
    with pytest.raises(ValueError, match="trust_remote_code=True"):
        ToolCollection.from_mcp(COMMAND)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (f"{sys.executable} -c \"import sys; sys.exit('config.toml is missing')\"", "config.toml is missing"),
        ("agentls-no-such-mcp-server --port 1", "failed to start"),
    ],
)
def test_a_server_that_fails_to_start_says_why(command, expected):
    with pytest.raises(ConnectionError, match=expected):
        ToolCollection.from_mcp(command, trust_remote_code=True)


def test_streamable_http_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(SERVER), "--http", str(port)], stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        with ToolCollection.from_mcp({"url": f"http://127.0.0.1:{port}/mcp"}, trust_remote_code=True) as collection:
            tools = {tool.name: tool for tool in collection.tools}
            assert tools["add"](20, 22) == 42
    finally:
        process.terminate()
        process.wait(10)


def _wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"the MCP server did not listen on port {port}")
