"""agentls.runTask {"task": str, "uri"?: str, "background"?: bool, "apply"?: bool}: a task on the workspace."""

from server import commands
from server.launch import Instruction, _Strict, document_path, launch, parse_args, prompt
from server.tasks import TaskRequest


class RunTaskArgs(_Strict):
    task: Instruction
    uri: str | None = None
    background: bool | None = None
    apply: bool = True  # False: the edit comes back in the result, unapplied (VS Code's chat offers it)


def setup(server) -> None:
    @server.command(commands.RUN_TASK)
    async def run_task(ls, *args) -> dict:
        request = parse_args(RunTaskArgs, args)
        ls.require_session()
        path = document_path(ls, request.uri) if request.uri else None
        title = request.task.strip().splitlines()[0][:60]
        task = TaskRequest(
            kind="runTask",
            title=title,
            prompt=prompt("run_task", task=request.task, path=path),
            path=path,
            apply=request.apply,
        )
        return await launch(ls, task, request.background)
