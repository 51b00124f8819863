"""How a command starts an agent task: its arguments, its document, foreground or background.

Commands take one JSON object as their argument (e.g. `{"task": "...", "uri": "..."}`),
validated by a pydantic model; anything wrong is answered InvalidParams with what
to fix. A task runs in the foreground (the command's answer is the outcome) or in
the background (the answer is `{"started": true, "taskId": n}` at once; the outcome
comes as the applyEdit, the progress end and a window/showMessage), for clients that
time out waiting (eglot blocks for 10 s and never cancels).
"""

import asyncio
import logging
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from lsprotocol import types
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.prompts import render
from server.protocol import invalid_params, request_failed
from server.tasks import BusyError, TaskRequest
from tools.edits import split_lines

log = logging.getLogger(__name__)
Args = TypeVar("Args", bound=BaseModel)
CLIENTS_THAT_TIME_OUT = ("eglot", "emacs")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Instruction = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_not_blank)]
"""What the user asks for in words: a task or an instruction."""


class PositionArg(_Strict):
    line: int = Field(ge=0)
    character: int = Field(ge=0)


class RangeArg(_Strict):
    start: PositionArg
    end: PositionArg

    @model_validator(mode="after")
    def _ordered(self) -> "RangeArg":
        if (self.end.line, self.end.character) < (self.start.line, self.start.character):
            raise ValueError("range end is before its start")
        return self


def parse_args(model: type[Args], args: tuple) -> Args:
    if len(args) != 1 or not isinstance(args[0], dict):
        raise invalid_params(f"expected one object argument like {_example(model)}, got {len(args)} arguments")
    try:
        return model.model_validate(args[0])
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'argument'}: {err['msg']}" for err in e.errors()[:5]
        )
        raise invalid_params(f"invalid arguments ({problems})") from None


def _example(model: type[BaseModel]) -> str:
    return "{" + ", ".join(f'"{name}": ...' for name, f in model.model_fields.items() if f.is_required()) + "}"


def document_path(server, uri: str) -> str:
    """The workspace-relative path of a document URI; InvalidParams when outside."""
    session = server.require_session()
    path = session.relative_path(uri)
    if path is None:
        raise invalid_params(f"{uri} is not a file inside the workspace ({session.root})")
    return path


def document_text(server, uri: str, path: str) -> str:
    """What the editor shows for the document (its buffer), else the file on disk."""
    opened = server.workspace.text_documents.get(uri)
    if opened is not None:
        return opened.source
    try:
        return (Path(server.session.root) / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise invalid_params(f"cannot read {path}: {e}") from None


def selection(server, text: str, selected: RangeArg) -> tuple[str, int, int]:
    """The selected text (client units converted with the negotiated encoding) and its
    first and last line numbers, 1-based."""
    lines = split_lines(text)
    if selected.end.line > len(lines) or (lines and selected.start.line >= len(lines)):
        raise invalid_params(f"the range is past the end of the document ({len(lines)} lines)")
    codec = server.workspace.position_codec
    start = codec.position_from_client_units(lines, types.Position(selected.start.line, selected.start.character))
    end = codec.position_from_client_units(lines, types.Position(selected.end.line, selected.end.character))
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position) -> int:
        return offsets[position.line] + position.character if position.line < len(lines) else len(text)

    first = start.line + 1
    last = end.line if end.character == 0 and end.line > start.line else end.line + 1
    return text[offset(start) : offset(end)], first, max(first, last)


@cache
def task_prompts() -> dict[str, str]:
    return yaml.safe_load(resources.files("server").joinpath("prompts", "tasks.yaml").read_text(encoding="utf-8"))


def prompt(kind: str, **variables: Any) -> str:
    return render(task_prompts()[kind], **variables)


def wants_background(server, asked: bool | None) -> bool:
    if asked is not None:
        return asked
    mode = server.settings.background_commands
    if mode != "auto":
        return mode == "always"
    return any(name in server.client_name.lower() for name in CLIENTS_THAT_TIME_OUT)


async def launch(server, request: TaskRequest, background: bool | None) -> dict:
    """Claim the document and run the task, in the foreground or the background."""
    try:
        task = server.tasks.claim(request, server.protocol.msg_id)
    except BusyError as e:
        raise request_failed(str(e)) from None
    converter = server.protocol._converter
    if wants_background(server, background):
        # The client lets go of its own token when the request is answered, at once here:
        # a background task reports on a token of ours.
        asyncio.ensure_future(_in_background(server, task))
        return {"started": True, "taskId": task.id}
    task.progress_token = server.protocol.work_done_token  # the client's own, if it sent one
    outcome = await server.tasks.run(task)
    return outcome.to_lsp(converter)


async def _in_background(server, task) -> None:
    try:
        outcome = await server.tasks.run(task)
    except asyncio.CancelledError:
        server.show(f"agentls: {task.request.title}: cancelled; nothing was changed.")
        return
    except Exception as e:  # reported to the user; the server goes on
        log.exception("background task %s failed", task.id)
        server.show(f"agentls: {task.request.title} failed: {e}", types.MessageType.Error)
        return
    status = "applied" if outcome.applied else "not applied"
    server.show(f"agentls: {task.request.title} ({status}): {outcome.summary}")
