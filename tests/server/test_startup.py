"""The server starts fast: building it and answering initialize import no heavy library."""

import json
import subprocess
import sys

HEAVY = (
    "litellm",
    "openai",
    "jedi",
    "huggingface_hub",
    "tiktoken",
    "llama_cpp",
    "transformers",
    "mcp",
    "gradio_client",
)

PROBE = """
import sys
from lsprotocol import types
from server.server import create_server
server = create_server()
params = types.InitializeParams(
    capabilities=types.ClientCapabilities(), root_uri="file:///tmp", initialization_options={"agentls": {"maxSteps": 5}}
)
steps = server.protocol.lsp_initialize(params)  # pygls's initialize, with ours inside it
handler, args, kwargs = next(steps)
handler(*args)
try:
    steps.send(None)
except StopIteration as done:
    assert done.value.capabilities.execute_command_provider is not None
assert server.settings.max_steps == 5
print(__import__("json").dumps(sorted(name for name in %r if name in sys.modules)))
"""


def test_initialize_imports_no_heavy_library():
    done = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
