"""Chat messages and the `Model` interface every back end implements.

    model.generate(messages, stop_sequences=None, response_format=None, tools_to_call_from=None) -> ChatMessage
    model.generate_stream(...) -> Iterator[ChatMessageStreamDelta]

Back ends live in `agent/backends/` and are imported lazily (litellm alone takes
seconds); their names are importable from here all the same:
`from agent.models import LiteLLMModel, ReplayModel`.
"""

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from agent.tools import Tool


@dataclass
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: "TokenUsage | None") -> "TokenUsage":
        if other is None:
            return self
        return TokenUsage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)


@dataclass
class ChatMessageToolCallFunction:
    name: str
    arguments: Any  # a dict, or the raw string when the model's JSON did not parse
    description: str | None = None


@dataclass
class ChatMessageToolCall:
    function: ChatMessageToolCallFunction
    id: str
    type: str = "function"

    def to_dict(self) -> dict:
        arguments = self.function.arguments
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        return {"id": self.id, "type": self.type, "function": {"name": self.function.name, "arguments": arguments}}

    @classmethod
    def from_dict(cls, data: dict) -> "ChatMessageToolCall":
        function = data.get("function") or {}
        return cls(
            id=str(data.get("id") or ""),
            type=data.get("type") or "function",
            function=ChatMessageToolCallFunction(
                name=function.get("name") or "", arguments=parse_arguments(function.get("arguments"))
            ),
        )


@dataclass
class ChatMessage:
    role: str
    content: str | None = None
    tool_calls: list[ChatMessageToolCall] | None = None
    raw: Any = None
    token_usage: TokenUsage | None = None
    tool_call_id: str | None = None  # on role "tool": which call this answers

    def to_dict(self) -> dict:
        """The OpenAI chat format, which litellm and OpenAI-compatible servers accept."""
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            data["tool_calls"] = [call.to_dict() for call in self.tool_calls]
        if self.tool_call_id:
            data["tool_call_id"] = self.tool_call_id
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ChatMessage":
        usage = data.get("token_usage")
        return cls(
            role=data["role"],
            content=data.get("content"),
            tool_calls=[ChatMessageToolCall.from_dict(c) for c in data.get("tool_calls") or []] or None,
            token_usage=TokenUsage(**usage) if usage else None,
            tool_call_id=data.get("tool_call_id"),
        )

    def record(self) -> dict:
        """What a recording keeps of a model's answer (no `raw`)."""
        data = self.to_dict()
        if self.token_usage:
            data["token_usage"] = asdict(self.token_usage)
        return data


@dataclass
class ChatMessageStreamDelta:
    content: str | None = None
    tool_calls: list[ChatMessageToolCall] | None = None
    token_usage: TokenUsage | None = None


def join_deltas(deltas: list[ChatMessageStreamDelta]) -> ChatMessage:
    content = "".join(d.content or "" for d in deltas)
    usage = None
    calls: list[ChatMessageToolCall] = []
    for delta in deltas:
        if delta.token_usage:
            usage = delta.token_usage + usage
        calls.extend(delta.tool_calls or [])
    return ChatMessage(role="assistant", content=content, tool_calls=calls or None, token_usage=usage)


def parse_arguments(arguments: Any) -> Any:
    """Tool-call arguments as a dict when they are JSON; the raw value otherwise."""
    if isinstance(arguments, str):
        try:
            return json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            return arguments
    return arguments if arguments is not None else {}


def as_message(message: "ChatMessage | dict") -> ChatMessage:
    return message if isinstance(message, ChatMessage) else ChatMessage.from_dict(message)


class ModelError(Exception):
    """The model could not answer (auth, quota, network, bad response). The message
    is safe to show: it names the model and the next step, never a key."""


class Model:
    """A chat model. Subclasses implement `generate` (and `generate_stream` if they can)."""

    retry_delay = 1.0  # seconds before the first retry of a transient failure; doubles each time

    def __init__(self, model_id: str | None = None, **kwargs: Any):
        self.model_id = model_id
        self.kwargs = kwargs

    def generate(
        self,
        messages: "list[ChatMessage | dict]",
        stop_sequences: list[str] | None = None,
        response_format: dict | None = None,
        tools_to_call_from: "list[Tool] | None" = None,
        **kwargs: Any,
    ) -> ChatMessage:
        raise NotImplementedError

    def generate_stream(
        self,
        messages: "list[ChatMessage | dict]",
        stop_sequences: list[str] | None = None,
        response_format: dict | None = None,
        tools_to_call_from: "list[Tool] | None" = None,
        **kwargs: Any,
    ) -> Iterator[ChatMessageStreamDelta]:
        """Back ends that cannot stream answer in one delta."""
        message = self.generate(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        yield ChatMessageStreamDelta(message.content, message.tool_calls, message.token_usage)

    def __call__(self, messages, **kwargs) -> ChatMessage:
        return self.generate(messages, **kwargs)

    def describe(self) -> str:
        return f"{type(self).__name__}({self.model_id})"


def truncate_at_stop(text: str, stop_sequences: list[str] | None) -> str:
    """For back ends without server-side stop sequences."""
    for stop in stop_sequences or ():
        index = text.find(stop)
        if index != -1:
            text = text[:index]
    return text


T = TypeVar("T")


def with_retries(
    call: Callable[[], T],
    is_transient: Callable[[Exception], bool],
    max_retries: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Retry `call` on transient errors (rate limits, 5xx, timeouts) with jittered
    exponential backoff; anything else, or the last failure, propagates."""
    for attempt in range(max_retries + 1):
        try:
            return call()
        except Exception as e:  # filtered by is_transient; the rest re-raise
            if attempt == max_retries or not is_transient(e):
                raise
            delay = min(max_delay, base_delay * 2**attempt) * (0.5 + random.random() / 2)
            sleep(delay)
    raise AssertionError("unreachable")


__all__ = [
    "ChatMessage",
    "ChatMessageStreamDelta",
    "ChatMessageToolCall",
    "ChatMessageToolCallFunction",
    "Model",
    "ModelError",
    "TokenUsage",
    "AzureOpenAIServerModel",
    "HfApiModel",
    "InferenceClientModel",
    "LiteLLMModel",
    "LlamaCppModel",
    "OpenAIServerModel",
    "ReplayModel",
    "ScriptedModel",
    "TransformersModel",
]

_BACKENDS = {
    "OpenAIServerModel": "agent.backends.openai_server",
    "AzureOpenAIServerModel": "agent.backends.openai_server",
    "LiteLLMModel": "agent.backends.litellm_model",
    "InferenceClientModel": "agent.backends.hf_inference",
    "HfApiModel": "agent.backends.hf_inference",
    "TransformersModel": "agent.backends.transformers_model",
    "LlamaCppModel": "agent.backends.llama_cpp_model",
    "ReplayModel": "agent.replay",
    "ScriptedModel": "agent.replay",
}

if TYPE_CHECKING:
    from agent.backends.hf_inference import HfApiModel, InferenceClientModel
    from agent.backends.litellm_model import LiteLLMModel
    from agent.backends.llama_cpp_model import LlamaCppModel
    from agent.backends.openai_server import AzureOpenAIServerModel, OpenAIServerModel
    from agent.backends.transformers_model import TransformersModel
    from agent.replay import ReplayModel, ScriptedModel


def __getattr__(name: str):
    if name not in _BACKENDS:
        raise AttributeError(f"module 'agent.models' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_BACKENDS[name]), name)
