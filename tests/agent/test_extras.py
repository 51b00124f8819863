"""The `hub` extra as installed: the versions pyproject.toml allows, the modules agentls
uses, and a clear message when the extra is missing. (mcp 2.x changed its client modules;
an install that drifts out of the tested range fails here, not for a user.)"""

import builtins
import importlib
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from agent import Tool, ToolCollection

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
USED = {
    "mcp": ["ClientSession", "StdioServerParameters"],
    "mcp.client.stdio": ["stdio_client"],
    "mcp.client.streamable_http": ["streamable_http_client"],
    "mcp.shared.exceptions": ["McpError"],
    "mcp.types": ["CONNECTION_CLOSED"],
    "gradio_client": ["Client", "handle_file"],
    "huggingface_hub": ["HfApi", "snapshot_download"],
}


@pytest.mark.parametrize("requirement", tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]["hub"])
def test_the_installed_hub_extra_is_in_the_tested_range(requirement):
    wanted = Requirement(requirement)
    installed = metadata.version(wanted.name)
    assert wanted.specifier.contains(installed, prereleases=True), f"{wanted.name} {installed} is not {wanted}"


@pytest.mark.parametrize("module", sorted(USED))
def test_the_modules_agentls_uses_are_there(module):
    imported = importlib.import_module(module)
    assert [name for name in USED[module] if not hasattr(imported, name)] == []


@pytest.mark.parametrize(
    ("missing", "load"),
    [
        ("mcp", lambda: ToolCollection.from_mcp("some-server", trust_remote_code=True)),
        ("gradio_client", lambda: Tool.from_space("http://127.0.0.1:1/", "t", "A tool.")),
    ],
)
def test_without_the_extra_the_error_says_what_to_install(monkeypatch, missing, load):
    real_import = builtins.__import__

    def without(name, *args, **kwargs):
        if re.match(rf"{missing}(\.|$)", name):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without)
    with pytest.raises(ImportError, match=r"pip install 'agentls\[hub\]'"):
        load()
