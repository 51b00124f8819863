"""agentls.fixDiagnostics {"uri", "range"?, "background"?, "apply"?}: fix ruff's problems in a file.

The problems are the ones given (the editor's diagnostics, from a code action),
else ruff's (with the project's configuration, on the text the editor shows); with
none, the answer comes at once and no model is called.
"""

import asyncio

from server import commands
from server.launch import RangeArg, _Strict, document_path, document_text, launch, parse_args, prompt
from server.tasks import Outcome, TaskRequest
from tools import lint
from tools.workspace import Workspace


class FixDiagnosticsArgs(_Strict):
    uri: str
    range: RangeArg | None = None
    diagnostics: list[str] | None = None  # the editor's own problems ("line 3: F401 ..."); default: ruff's
    background: bool | None = None
    apply: bool = True  # False: the edit comes back in the result, unapplied (VS Code's chat offers it)


def setup(server) -> None:
    @server.command(commands.FIX_DIAGNOSTICS)
    async def fix_diagnostics(ls, *args) -> dict:
        request = parse_args(FixDiagnosticsArgs, args)
        path = document_path(ls, request.uri)
        found = request.diagnostics or await _ruff_problems(ls, request, path)
        if not found:
            return Outcome(applied=False, summary=f"No problems found in {path}.").to_lsp(ls.protocol._converter)
        problems = "\n".join(f"- {problem}" for problem in found[:30])
        task = TaskRequest(
            kind="fixDiagnostics",
            title=f"fix {len(found)} problem(s) in {path}",
            prompt=prompt("fix_diagnostics", path=path, diagnostics=problems),
            path=path,
            apply=request.apply,
        )
        return await launch(ls, task, request.background)


async def _ruff_problems(ls, request: FixDiagnosticsArgs, path: str) -> list[str]:
    text = document_text(ls, request.uri, path)
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(ls.agent_pool, lint.check_text, Workspace(ls.session.root), path, text)
    if request.range is not None:
        first, last = request.range.start.line + 1, request.range.end.line + 1
        found = [d for d in found if first <= d.line <= last]
    return [f"line {d.line}: {d.code} {d.message}" for d in found]
