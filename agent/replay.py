"""Recorded model answers: the basis of deterministic tests and benchmarks.

A recording is JSONL: a header line, then one line per model call:

    {"kind": "header", "format": "agentls-recording", "version": 1, "model": "..."}
    {"kind": "call", "request": {"messages": [...], "stop_sequences": [...], "tools": [...]},
     "response": {"role": "assistant", "content": "...", "token_usage": {...}}}

`ReplayModel(path)` answers each call with the next recorded response and checks
that the request is the recorded one: a replay that receives a request it did not
expect fails loudly (`ReplayMismatch`), with the difference. Tasks running at once
on one model interleave their calls: each gets the first unused call recorded with
its request. After an intended
change (a prompt, a tool's output), re-record: `make record` runs the tests with
AGENTLS_RERECORD=1, which keeps the responses and rewrites the requests; review
the diff like code. A new recording can be written by hand with responses only.

`RecordingModel(model, path)` records a live run (secrets redacted);
`ScriptedModel(answers)` answers from a list, checking nothing.
"""

import difflib
import json
import os
import threading
from pathlib import Path
from typing import Any

from agent.models import ChatMessage, Model, TokenUsage, as_message
from agent.redaction import redact

FORMAT = "agentls-recording"


class ReplayMismatch(AssertionError):
    """The agent sent a request the recording does not have."""


def request_record(messages, stop_sequences=None, tools_to_call_from=None) -> dict:
    record: dict[str, Any] = {"messages": [_message_record(m) for m in messages]}
    if stop_sequences:
        record["stop_sequences"] = list(stop_sequences)
    if tools_to_call_from:
        record["tools"] = [tool.name for tool in tools_to_call_from]
    return record


def _message_record(message) -> dict:
    data = as_message(message).to_dict()
    return {key: value for key, value in data.items() if value is not None}


def estimated_usage(request: dict, response: ChatMessage) -> TokenUsage:
    """About four characters a token: for hand-written recordings without usage."""
    chars_in = sum(len(str(m.get("content") or "")) for m in request["messages"])
    return TokenUsage(chars_in // 4, len(response.content or "") // 4)


class ReplayModel(Model):
    def __init__(self, path: str | os.PathLike, check_requests: bool = True, rerecord: bool | None = None):
        super().__init__(model_id=f"replay:{path}")
        self.path = Path(path)
        self.rerecord = os.environ.get("AGENTLS_RERECORD") == "1" if rerecord is None else rerecord
        self.check_requests = check_requests and not self.rerecord
        self.header, self.calls = _read(self.path)
        self.used: set[int] = set()
        self._lock = threading.Lock()

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        request = request_record(messages, stop_sequences, tools_to_call_from)
        with self._lock:
            index = self._next_call(request)
            self.used.add(index)
            call = self.calls[index]
            if self.rerecord:
                call["request"] = request
                _write(self.path, self.header, self.calls)
            elif self.check_requests:
                _compare(self.path, index, call.get("request"), request)
        response = ChatMessage.from_dict(call["response"])
        if response.token_usage is None:
            response.token_usage = estimated_usage(request, response)
        return response

    def _next_call(self, request: dict) -> int:
        """The first unused call. Several tasks may share one model (the server runs one
        per document, at once), so their calls interleave in any order: when requests are
        checked, a later unused call recorded with this very request is taken instead."""
        unused = [index for index in range(len(self.calls)) if index not in self.used]
        if not unused:
            raise ReplayMismatch(
                f"{self.path}: the agent made model call {len(self.calls) + 1}, but the recording has only "
                f"{len(self.calls)}. The agent's behaviour changed; re-record (make record) if intended."
            )
        if self.check_requests and self.calls[unused[0]].get("request") != request:
            same = [index for index in unused if self.calls[index].get("request") == request]
            return same[0] if same else unused[0]  # none: the first, for _compare to explain
        return unused[0]

    @property
    def remaining(self) -> int:
        return len(self.calls) - len(self.used)


class ScriptedModel(Model):
    """Answers from a list (strings or message dicts), in order; for quick tests and benchmarks."""

    def __init__(self, answers: list[str | dict | ChatMessage], model_id: str = "scripted"):
        super().__init__(model_id=model_id)
        self.answers = list(answers)
        self.position = 0
        self.requests: list[dict] = []

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        request = request_record(messages, stop_sequences, tools_to_call_from)
        self.requests.append(request)
        if self.position >= len(self.answers):
            raise ReplayMismatch(f"ScriptedModel: no answer left for call {self.position + 1}")
        answer = self.answers[self.position]
        self.position += 1
        message = ChatMessage(role="assistant", content=answer) if isinstance(answer, str) else as_message(answer)
        if message.token_usage is None:
            message.token_usage = estimated_usage(request, message)
        return message


class RecordingModel(Model):
    """Wraps a model and appends each call to a recording (redacted)."""

    def __init__(self, model: Model, path: str | os.PathLike):
        super().__init__(model_id=model.model_id)
        self.model = model
        self.path = Path(path)
        self._lock = threading.Lock()
        header = {"kind": "header", "format": FORMAT, "version": 1, "model": model.describe()}
        self.path.write_text(redact(json.dumps(header)) + "\n", encoding="utf-8")

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        response = self.model.generate(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        record = {
            "kind": "call",
            "request": request_record(messages, stop_sequences, tools_to_call_from),
            "response": response.record(),
        }
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(redact(json.dumps(record)) + "\n")
        return response

    def describe(self) -> str:
        return self.model.describe()


def _read(path: Path) -> tuple[dict, list[dict]]:
    header: dict = {"kind": "header", "format": FORMAT, "version": 1}
    calls: list[dict] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{number}: not JSON ({e.msg})") from None
        if entry.get("kind") == "header":
            header = entry
        elif entry.get("kind") == "call":
            if "response" not in entry:
                raise ValueError(f"{path}:{number}: a call without a response")
            calls.append(entry)
    return header, calls


def _write(path: Path, header: dict, calls: list[dict]) -> None:
    lines = [json.dumps(header)] + [json.dumps(call, ensure_ascii=False) for call in calls]
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def _compare(path: Path, index: int, recorded: dict | None, actual: dict) -> None:
    where = f"{path}, model call {index + 1}"
    if recorded is None:
        raise ReplayMismatch(f"{where}: the recording has no request to check; run `make record` to fill it in.")
    if recorded == actual:
        return
    for key in ("stop_sequences", "tools"):
        if recorded.get(key) != actual.get(key):
            raise ReplayMismatch(f"{where}: {key} differ: recorded {recorded.get(key)}, got {actual.get(key)}")
    old, new = recorded["messages"], actual["messages"]
    for number, (a, b) in enumerate(zip(old, new, strict=False), 1):
        if a != b:
            diff = difflib.unified_diff(
                json.dumps(a, indent=1, ensure_ascii=False).splitlines(),
                json.dumps(b, indent=1, ensure_ascii=False).splitlines(),
                "recorded",
                "actual",
                lineterm="",
            )
            shown = "\n".join(list(diff)[:60])
            raise ReplayMismatch(f"{where}: message {number} differs.\n{shown}\nRe-record (make record) if intended.")
    raise ReplayMismatch(f"{where}: the request has {len(new)} messages; the recording has {len(old)}.")
