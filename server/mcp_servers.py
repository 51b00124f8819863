"""The MCP servers of `agentls.mcpServers`: started once, shared by every task, stopped at exit.

    tools = await server.mcp.tools(settings)     # at each task; starts what is not running

Each server is started on first need (or at `initialized`, in the background) and kept
for the session; tasks run concurrently against the same connections. A server that
fails to start is reported once (window/showMessage and the log) and skipped until the
setting changes; one that crashed (or stopped answering a ping) is started again at the
next task. A tool whose name is already a workspace tool's is left out, with a note in
the log: the workspace's wins.

A server given as a command runs a program on this machine, and a workspace's own
settings file may be where it came from: commands start only in a trusted workspace
(agentls.trustWorkspace, as the test command); URLs always.
"""

import asyncio
import logging
import shlex
from typing import Any

from lsprotocol import types

from agent import Tool, ToolCollection
from agent.redaction import redact
from server.config import MCPServer, Settings

log = logging.getLogger(__name__)


class MCPServers:
    def __init__(self, server):
        self.server = server
        self.running: dict[Any, ToolCollection] = {}  # by settings entry
        self.failed: set = set()  # entries that failed to start, not retried until the setting changes
        self._lock = asyncio.Lock()
        self._warming: asyncio.Future | None = None  # held: the loop keeps only a weak reference to a task
        self._untrusted_reported: set = set()

    def warm_up(self, settings: Settings) -> None:
        """Start the configured servers now, in the background: the first task does not
        wait for them, and a server that fails is reported at once."""
        if settings.mcp_servers or self.running:
            self._warming = asyncio.ensure_future(self.tools(settings))

    async def tools(self, settings: Settings, taken: set[str] = frozenset()) -> list[Tool]:
        """The tools of every configured server that runs, except names in `taken`."""
        async with self._lock:
            await self._sync(self._allowed(settings))
        tools = []
        for entry, collection in self.running.items():
            for tool in collection.tools:
                if tool.name in taken:
                    self.server.log_detail(
                        f"agentls.mcpServers: {label(entry)}: {tool.name} is a workspace tool; skipped"
                    )
                    continue
                taken = taken | {tool.name}
                tools.append(tool)
        return tools

    def _allowed(self, settings: Settings) -> tuple:
        """The configured servers, without commands when the workspace is not trusted (reported once)."""
        if settings.trust_workspace:
            return settings.mcp_servers
        for entry in settings.mcp_servers:
            if not _is_url(entry) and entry not in self._untrusted_reported:
                self._untrusted_reported.add(entry)
                message = f"agentls.mcpServers: {label(entry)} was not started: the workspace is not trusted"
                self.server.show(redact(message + " (agentls.trustWorkspace)"), types.MessageType.Warning)
        return tuple(entry for entry in settings.mcp_servers if _is_url(entry))

    async def _sync(self, wanted: tuple) -> None:
        loop = asyncio.get_running_loop()
        for entry, collection in list(self.running.items()):
            # A ping: a server that died while idle shows only so. Both may take seconds: off the event loop.
            if entry in wanted and await loop.run_in_executor(self.server.agent_pool, _answers, collection):
                continue
            if entry in wanted:
                why = _why(collection)
                self.server.log_detail(f"agentls.mcpServers: {label(entry)} stopped ({why}); starting it again")
            del self.running[entry]
            await loop.run_in_executor(self.server.agent_pool, collection.close)
        self.failed &= set(wanted)
        for entry in wanted:
            if entry in self.running or entry in self.failed:
                continue
            parameters = entry.parameters() if isinstance(entry, MCPServer) else entry
            try:
                collection = await loop.run_in_executor(self.server.agent_pool, _start, parameters)
            except (ConnectionError, ValueError, OSError, ImportError) as e:
                self.failed.add(entry)
                message = redact(f"agentls.mcpServers: {label(entry)} was skipped: {e}")  # its stderr may hold keys
                self.server.show(message, types.MessageType.Warning)
                continue
            self.running[entry] = collection
            names = ", ".join(tool.name for tool in collection.tools) or "no tools"
            self.server.log_detail(f"agentls.mcpServers: {label(entry)} started ({names})")

    def close(self) -> None:
        for entry in list(self.running):
            self.running.pop(entry).close()


def _start(parameters: Any) -> ToolCollection:
    return ToolCollection.from_mcp(parameters, trust_remote_code=True)  # the user configured it: trusted


def _connections(collection: ToolCollection) -> set:
    return {tool.connection for tool in collection.tools if getattr(tool, "connection", None) is not None}


def _answers(collection: ToolCollection) -> bool:
    return all(connection.alive() for connection in _connections(collection))


def _why(collection: ToolCollection) -> str:
    return next((c.ended for c in _connections(collection) if c.ended), "it stopped")


def _is_url(entry: Any) -> bool:
    return entry.url is not None if isinstance(entry, MCPServer) else entry.startswith(("http://", "https://"))


def label(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if entry.url is not None:
        return entry.url
    return shlex.join([entry.command, *entry.args])
