"""agentls.editSelection {"uri", "range", "instruction", "background"?, "apply"?}: inline chat on a selection."""

from server import commands
from server.launch import (
    Instruction,
    RangeArg,
    _Strict,
    document_path,
    document_text,
    launch,
    parse_args,
    prompt,
    selection,
)
from server.tasks import TaskRequest


class EditSelectionArgs(_Strict):
    uri: str
    range: RangeArg
    instruction: Instruction
    background: bool | None = None
    apply: bool = True  # False: the edit comes back in the result, unapplied (VS Code's chat offers it)


def setup(server) -> None:
    @server.command(commands.EDIT_SELECTION)
    async def edit_selection(ls, *args) -> dict:
        request = parse_args(EditSelectionArgs, args)
        path = document_path(ls, request.uri)
        selected, first, last = selection(ls, document_text(ls, request.uri, path), request.range)
        task = TaskRequest(
            kind="editSelection",
            title=f"{request.instruction.strip().splitlines()[0][:40]} ({path}:{first})",
            prompt=prompt(
                "edit_selection",
                path=path,
                first_line=first,
                last_line=last,
                selection=selected,
                instruction=request.instruction,
            ),
            path=path,
            apply=request.apply,
        )
        return await launch(ls, task, request.background)
