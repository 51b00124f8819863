"""MCP servers as agent tools, through the `mcp` package (the `hub` extra).

    with ToolCollection.from_mcp("python my_server.py", trust_remote_code=True) as tools:
        agent = CodeAgent(tools=tools.tools, model=model)

`MCPConnection` holds one server: a background thread runs an asyncio loop with the
`mcp` ClientSession (stdio or streamable HTTP), so that each tool's `forward` is a
plain synchronous call, as the agent needs. Every call has a timeout. A server that
fails, crashes or hangs during a call raises `ExternalToolError`: the model sees it
as the step's observation and the run goes on.
"""

import asyncio
import keyword
import os
import re
import shlex
import tempfile
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import AsyncExitStack, asynccontextmanager
from typing import IO, Any

from agent.errors import ExternalToolError
from agent.json_schema import inputs_from_json_schema, type_of
from agent.tools import Tool

CALL_TIMEOUT = 60.0  # seconds for one tool call
CONNECT_TIMEOUT = 30.0  # seconds to start a server and list its tools
CLOSE_TIMEOUT = 5.0
PING_TIMEOUT = 5.0  # seconds for a running server to answer a ping before a task


def import_mcp():
    try:
        import mcp
    except ImportError:
        raise ImportError("MCP servers need the `mcp` package: pip install 'agentls[hub]'") from None
    return mcp


def server_parameters(spec: Any) -> Any:
    """`StdioServerParameters`, or {"url": ...} for streamable HTTP, from what a user gives:
    those, a dict {"command": ..., "args": [...], "env": {...}}, a URL, or a command line."""
    from mcp import StdioServerParameters

    if isinstance(spec, StdioServerParameters):
        return spec
    if isinstance(spec, str):
        if re.match(r"https?://", spec):
            return {"url": spec}
        words = shlex.split(spec)
        if not words:
            raise ValueError("an MCP server command is empty")
        return StdioServerParameters(command=words[0], args=words[1:])
    if isinstance(spec, dict) and "url" in spec:
        transport = spec.get("transport", "streamable-http")
        if transport != "streamable-http":
            raise ValueError(f"MCP transport {transport!r} is not supported; use a streamable HTTP server (or stdio)")
        return {"url": spec["url"], "headers": spec.get("headers")}
    if isinstance(spec, dict) and "command" in spec:
        return StdioServerParameters(**spec)
    raise ValueError(f"not an MCP server: {spec!r}; give a command line, a URL, or StdioServerParameters")


def describe_server(parameters: Any) -> str:
    if isinstance(parameters, dict):
        return parameters["url"]
    return shlex.join([os.path.basename(parameters.command), *parameters.args])


class MCPConnection:
    """One running MCP server and its session, on a thread of its own."""

    def __init__(self, spec: Any, call_timeout: float = CALL_TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT):
        import_mcp()
        self.parameters = server_parameters(spec)
        self.label = describe_server(self.parameters)
        self.call_timeout = call_timeout
        self.session = None
        self.ended: str | None = None  # why the connection is gone, once it is
        # A stdio server's stderr, kept for error messages; lives as long as the connection.
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="agentls-mcp")
        self._thread.start()
        self._ready: Future = Future()
        self._stop = asyncio.Event()
        self._finished = threading.Event()  # _serve has closed the session and the transport
        self._serving = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        try:
            self.tool_specs = self._ready.result(timeout=connect_timeout)
        except FuturesTimeout:
            self.close(graceful=False)
            raise ConnectionError(f"the MCP server {self.label} did not start within {connect_timeout:g} s") from None
        except Exception as e:
            why = self._stderr_tail() or _reason(e)
            self.close(graceful=False)
            raise ConnectionError(f"the MCP server {self.label} failed to start: {why}") from None

    async def _serve(self) -> None:
        """Open the transport and session, list the tools, then hold them open until
        close(): the `mcp` contexts (anyio task groups) must exit in the task that entered them."""
        from mcp import ClientSession

        try:
            async with AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(_open_transport(self.parameters, self._stderr))
                self.session = await stack.enter_async_context(ClientSession(read, write))
                await self.session.initialize()
                listed = await self.session.list_tools()
                self._ready.set_result(listed.tools)
                await self._stop.wait()
        except Exception as e:  # the transport failed, or the server went away
            self.ended = _reason(e)
            if not self._ready.done():
                self._ready.set_exception(e)
        finally:
            self.ended = self.ended or "closed"
            self._finished.set()

    def call(self, name: str, arguments: dict) -> Any:
        """Call one tool: its CallToolResult; ExternalToolError if the server fails or does not answer."""
        if self.ended is not None:
            raise ExternalToolError(f"{name}: the MCP server {self.label} is not running ({self.ended})")
        future = asyncio.run_coroutine_threadsafe(self.session.call_tool(name, arguments), self._loop)
        try:
            result = future.result(timeout=self.call_timeout)
        except FuturesTimeout:
            future.cancel()  # the request is dropped; the server stays usable for the next call
            raise ExternalToolError(
                f"{name}: the MCP server {self.label} did not answer within {self.call_timeout:g} s"
            ) from None
        except Exception as e:  # the server crashed, closed the connection, or broke the protocol
            why = _reason(e)
            if _connection_lost(e):
                self.ended = "it stopped"
                why = f"it stopped{self._stderr_tail(prefix='; its last words: ')}"
            raise ExternalToolError(f"{name}: the MCP server {self.label} failed: {why}") from None
        return result

    def _stderr_tail(self, prefix: str = "") -> str:
        """The last line a stdio server wrote to stderr (the error of a traceback, usually)."""
        self._stderr.flush()
        self._stderr.seek(0)
        lines = [line.strip() for line in self._stderr.read().splitlines() if line.strip()]
        return prefix + lines[-1] if lines else ""

    def alive(self, timeout: float = PING_TIMEOUT) -> bool:
        """Whether the server still answers (a ping); a server that died while idle is
        only noticed this way. Once it does not, `ended` says so."""
        if self.ended is not None:
            return False
        future = asyncio.run_coroutine_threadsafe(self.session.send_ping(), self._loop)
        try:
            future.result(timeout=timeout)
        except Exception as e:  # gone, or too slow to count on
            future.cancel()
            self.ended = f"it stopped answering ({_reason(e) if not isinstance(e, FuturesTimeout) else 'no answer'})"
            return False
        return True

    def close(self, graceful: bool = True) -> None:
        """Stop the server (or end the HTTP session) and the thread; safe to call twice.
        Graceful: let the session end on its own first; else (a server that never
        started) cancel it at once. Either way the transport's own cleanup, which ends
        the server's process, finishes before the loop stops."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        if not (graceful and self._finished.wait(CLOSE_TIMEOUT)):
            self._serving.cancel()
            self._finished.wait(CLOSE_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CLOSE_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()
        self._stderr.close()


class MCPTool(Tool):
    """One tool of an MCP server. Names that are not Python identifiers are adapted
    (the CodeAgent calls tools as functions); the server is called with the original."""

    def __init__(self, connection: MCPConnection, spec: Any):
        self.connection = connection
        self.remote_name = spec.name
        self.name = python_name(spec.name)
        self.description = (spec.description or "").strip() or f"The MCP tool {spec.name}."
        self.inputs = inputs_from_json_schema(spec.inputSchema or {})
        self.output_schema = getattr(spec, "outputSchema", None)
        wrapped = _wrapped_result_schema(self.output_schema)
        if wrapped is not None:
            self.output_type = type_of(wrapped)[0]
        else:
            self.output_type = "object" if self.output_schema else "string"

    def forward(self, **arguments: Any):  # no return hint: the signature shows output_type
        given = {key: value for key, value in arguments.items() if value is not None}
        result = self.connection.call(self.remote_name, given)
        if result.isError:
            raise ExternalToolError(f"{self.name} failed: {_text(result) or 'the MCP server reported an error'}")
        if result.structuredContent is None:
            return _text(result)
        if _wrapped_result_schema(self.output_schema) is not None:
            return result.structuredContent.get("result")
        return result.structuredContent


def mcp_tools(connection: MCPConnection) -> list[Tool]:
    return [MCPTool(connection, spec) for spec in connection.tool_specs]


def _text(result: Any) -> str:
    """The text of a CallToolResult; other content (images, resources) by its kind."""
    parts = []
    for item in result.content:
        if item.type == "text":
            parts.append(item.text)
        else:
            parts.append(f"[{item.type} content: {getattr(item, 'mimeType', None) or 'unknown type'}]")
    return "\n".join(parts)


def _wrapped_result_schema(schema: dict | None) -> dict | None:
    """FastMCP (the `mcp` package's server) wraps a tool's non-object result as
    {"result": value}: the schema of that value, if this output schema is such a wrapper."""
    properties = (schema or {}).get("properties") or {}
    if set(properties) == {"result"} and (schema or {}).get("required") == ["result"]:
        return properties["result"]
    return None


def python_name(name: str) -> str:
    cleaned = re.sub(r"\W", "_", name)
    if not cleaned or cleaned[0].isdigit() or keyword.iskeyword(cleaned):
        cleaned = f"tool_{cleaned}"
    return cleaned


def _connection_lost(error: Exception) -> bool:
    """The server went away: during the call (the session fails the pending request) or
    before it (the streams to it are closed)."""
    import anyio
    from mcp.shared.exceptions import McpError
    from mcp.types import CONNECTION_CLOSED

    if isinstance(error, anyio.ClosedResourceError | anyio.BrokenResourceError):
        return True
    return isinstance(error, McpError) and error.error.code == CONNECTION_CLOSED


def _reason(error: BaseException) -> str:
    """The innermost message of an error (anyio wraps failures in exception groups)."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


@asynccontextmanager
async def _open_transport(parameters: Any, errlog: IO[str]):
    """(read, write) streams to the server: its stdio, or streamable HTTP."""
    if isinstance(parameters, dict):
        import httpx
        from mcp.client.streamable_http import streamable_http_client

        timeout = httpx.Timeout(30, read=300)  # as the `mcp` client's defaults: long reads for slow tools
        async with (
            httpx.AsyncClient(headers=parameters.get("headers"), timeout=timeout) as client,
            streamable_http_client(parameters["url"], http_client=client) as (read, write, _),
        ):
            yield read, write
    else:
        from mcp.client.stdio import stdio_client

        async with stdio_client(parameters, errlog=errlog) as (read, write):
            yield read, write
