"""`ToolCollection`: several tools that come and go together, e.g. an MCP server's.

    with ToolCollection.from_mcp("python server.py", trust_remote_code=True) as collection:
        agent = CodeAgent(tools=[*collection.tools], model=model)
        agent.run("...")
    # the server is stopped here

Without `with`, call `close()` when done (the language server keeps its MCP
servers for the whole session).
"""

from collections.abc import Callable, Iterable
from typing import Any

from agent.tools import Tool


class ToolCollection:
    def __init__(self, tools: Iterable[Tool], close: Callable[[], None] | None = None):
        self.tools = list(tools)
        self._close = close

    @classmethod
    def from_mcp(
        cls,
        server_parameters: Any,
        trust_remote_code: bool = False,
        call_timeout: float | None = None,
    ) -> "ToolCollection":
        """The tools of one MCP server, or of a list of them. A server is a command line
        ("npx -y @modelcontextprotocol/server-everything"), `mcp.StdioServerParameters`,
        a dict {"command", "args", "env"}, or a URL / {"url": ...} (streamable HTTP).

        A stdio server is a program that runs on this machine, and its tools' results go
        to the model: pass trust_remote_code=True to say that you trust it (as in smolagents).
        """
        from agent.mcp_client import CALL_TIMEOUT, MCPConnection, mcp_tools

        if not trust_remote_code:
            raise ValueError(
                "Loading tools from an MCP server runs the server's code and passes its answers to the model; "
                "if you trust it, pass trust_remote_code=True."
            )
        specs = server_parameters if isinstance(server_parameters, list) else [server_parameters]
        connections = []
        try:
            for spec in specs:
                connections.append(MCPConnection(spec, call_timeout=call_timeout or CALL_TIMEOUT))
        except BaseException:
            for connection in connections:
                connection.close()
            raise

        def close() -> None:
            for connection in connections:
                connection.close()

        return cls([tool for connection in connections for tool in mcp_tools(connection)], close)

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> "ToolCollection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self):
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self.tools)

    def __repr__(self) -> str:
        return f"<ToolCollection {[tool.name for tool in self.tools]}>"
