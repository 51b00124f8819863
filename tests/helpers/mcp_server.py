"""A real MCP server, written with the `mcp` package, for the MCP client tests.

    python tests/helpers/mcp_server.py                 # stdio
    python tests/helpers/mcp_server.py --http PORT     # streamable HTTP on 127.0.0.1:PORT/mcp

Its tools: `add`, `shout` (a name with a hyphen on the wire: "shout-text"), `divide`
(an error result for b = 0), `wait` (slow on demand), and `stock_level`, which crashes
the server mid-call.
"""

import asyncio
import os
import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP("inventory")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool(name="shout-text")
def shout(text: str, times: int = 1) -> str:
    """Upper-case a text, repeated `times` times."""
    return " ".join([text.upper()] * times)


@server.tool()
def divide(a: float, b: float) -> float:
    """Divide a by b."""
    if b == 0:
        raise ValueError("cannot divide by zero")
    return a / b


@server.tool()
async def wait(seconds: float) -> str:
    """Wait, then say so."""
    await asyncio.sleep(seconds)
    return f"waited {seconds} s"


@server.tool()
def stock_level(item: str) -> int:
    """How many of an item are in stock."""
    print(f"fatal: the stock database is corrupt (looking up {item})", file=sys.stderr, flush=True)
    os._exit(3)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        server.settings.port = int(sys.argv[2])
        server.settings.host = "127.0.0.1"
        server.run("streamable-http")
    else:
        server.run("stdio")
