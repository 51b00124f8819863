"""A real editor: headless Neovim (0.7+, Debian's package) runs agentls.editSelection
against `agentls serve` with its built-in LSP client, which applies the edit to the
buffer; after :write, the file holds it.

Neovim is not installed by `make test` (it installs nothing system-wide): the test
skips with that reason when `nvim` is missing (`apt-get install neovim`).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import DATA, GREET

NVIM = shutil.which("nvim")
AGENTLS = str(Path(sys.executable).parent / "agentls")

SCRIPT = r"""
local settings = vim.fn.json_decode(os.getenv("AGENTLS_TEST_SETTINGS"))
vim.cmd("edit " .. vim.fn.fnameescape(settings.file))
local buffer = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "agentls",
  cmd = { settings.agentls, "serve" },
  root_dir = settings.root,
  init_options = { agentls = settings.options },
})
vim.lsp.buf_attach_client(buffer, client_id)
local client = vim.lsp.get_client_by_id(client_id)
assert(vim.wait(30000, function() return client.initialized end), "agentls did not initialize")

local line = vim.api.nvim_buf_get_lines(buffer, 1, 2, false)[1]
local first_byte = string.find(line, "name.upper()", 1, true) - 1
local _, start_utf16 = vim.str_utfindex(line, first_byte)
local _, end_utf16 = vim.str_utfindex(line)
local arguments = {
  uri = vim.uri_from_bufnr(buffer),
  range = { start = { line = 1, character = start_utf16 }, ["end"] = { line = 1, character = end_utf16 } },
  instruction = "Use title() instead of upper().",
}
local response = client.request_sync("workspace/executeCommand",
  { command = "agentls.editSelection", arguments = { arguments } }, 120000, buffer)
assert(response and response.result, "no result: " .. vim.inspect(response))
local result = response.result
vim.cmd("write")
local out = io.open(settings.report, "w")
out:write(vim.fn.json_encode({
  applied = result.applied,
  summary = result.summary,
  buffer = vim.api.nvim_buf_get_lines(buffer, 0, -1, false),
}))
out:close()
vim.lsp.stop_client(client_id)
vim.cmd("qall!")
"""


@pytest.mark.skipif(
    NVIM is None, reason="Neovim is not installed (apt-get install neovim); make test installs nothing system-wide"
)
def test_neovim_applies_an_edit_selection_to_its_buffer_and_writes_it(tmp_path, greet_workspace):
    script = tmp_path / "drive.lua"
    script.write_text(SCRIPT)
    report = tmp_path / "report.json"
    settings = {
        "file": str(greet_workspace / "greet.py"),
        "root": str(greet_workspace),
        "agentls": AGENTLS,
        "report": str(report),
        "options": {"model": f"replay:{DATA / 'e2e_edit_selection.jsonl'}", "trustWorkspace": True},
    }
    done = subprocess.run(
        [NVIM, "--headless", "--clean", "-c", f"luafile {script}"],
        env={**__import__("os").environ, "AGENTLS_TEST_SETTINGS": json.dumps(settings)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert report.exists(), f"nvim failed:\n{done.stdout}\n{done.stderr}"
    result = json.loads(report.read_text())
    assert result["applied"] is True, result["summary"]
    expected = GREET.replace("name.upper()", "name.title()")
    assert result["buffer"] == expected.splitlines()
    assert (greet_workspace / "greet.py").read_text().rstrip("\n") == expected
