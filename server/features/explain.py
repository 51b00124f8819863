"""agentls.explain {"uri", "range"}: explain a selection; returns text, changes nothing."""

from server import commands
from server.launch import RangeArg, _Strict, document_path, document_text, launch, parse_args, prompt, selection
from server.tasks import TaskRequest


class ExplainArgs(_Strict):
    uri: str
    range: RangeArg
    background: bool | None = None


def setup(server) -> None:
    @server.command(commands.EXPLAIN)
    async def explain(ls, *args) -> dict:
        request = parse_args(ExplainArgs, args)
        path = document_path(ls, request.uri)
        selected, first, last = selection(ls, document_text(ls, request.uri, path), request.range)
        task = TaskRequest(
            kind="explain",
            title=f"explain {path}:{first}-{last}",
            prompt=prompt("explain", path=path, first_line=first, last_line=last, selection=selected),
            path=None,  # reading only: no need to hold the document
            edits=False,
        )
        result = await launch(ls, task, request.background)
        if "summary" in result:
            result["explanation"] = result["summary"]
        return result
