"""What every OpenAI-shaped back end shares (the openai client, litellm, huggingface_hub,
llama.cpp): the request body, and reading answers and stream chunks.

A back end subclasses OpenAIShapedModel and supplies `call(**request)` (plus, if it
needs them, `extra_request()` fields such as the model name or max_tokens).
"""

from collections.abc import Iterable, Iterator
from typing import Any

from agent.models import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    Model,
    ModelError,
    TokenUsage,
    as_message,
    parse_arguments,
)
from agent.redaction import redact


class OpenAIShapedModel(Model):
    force_tool_choice = True  # "required" when tools are given (llama.cpp's server lacks it)

    def extra_request(self) -> dict:
        return {}

    def call(self, **request: Any):
        raise NotImplementedError

    def request(self, messages, stop_sequences, response_format, tools_to_call_from, **kwargs) -> dict:
        request: dict[str, Any] = {"messages": [as_message(m).to_dict() for m in messages], **self.extra_request()}
        if stop_sequences:
            request["stop"] = stop_sequences
        if response_format:
            request["response_format"] = response_format
        if tools_to_call_from:
            request["tools"] = [tool.to_tool_schema() for tool in tools_to_call_from]
            if self.force_tool_choice:
                request["tool_choice"] = "required"
        return {**request, **self.kwargs, **kwargs}

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        response = self.call(**request)
        if not getattr(response, "choices", None):  # a proxy or server that answered 200 with no answer
            raise ModelError(f"{self.model_id}: the server's answer had no choices (a malformed response). Try again.")
        return message_from_response(response)

    def generate_stream(
        self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs
    ) -> Iterator[ChatMessageStreamDelta]:
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        chunks = self.call(**request, stream=True, **self.stream_options())
        try:
            yield from deltas_from_chunks(chunks)
        except ModelError:
            raise
        except Exception as e:  # the connection failed mid-answer (a stall, a reset): too late to retry
            raise ModelError(
                redact(f"{self.model_id}: the streamed answer broke off ({type(e).__name__}). Try again.")
            ) from None
        finally:  # also when the caller stops reading early: close the connection
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def stream_options(self) -> dict:
        return {"stream_options": {"include_usage": True}}


def message_from_response(response: Any) -> ChatMessage:
    choice = response.choices[0].message
    usage = getattr(response, "usage", None)
    calls = [_tool_call(c.id, c.function.name, c.function.arguments) for c in getattr(choice, "tool_calls", None) or []]
    return ChatMessage(
        role="assistant",
        content=choice.content,
        tool_calls=calls or None,
        raw=response,
        token_usage=TokenUsage(usage.prompt_tokens, usage.completion_tokens) if usage else None,
    )


def deltas_from_chunks(chunks: Iterable[Any]) -> Iterator[ChatMessageStreamDelta]:
    """Content deltas as they arrive; tool calls (streamed in pieces) once complete, at the end."""
    partial_calls: dict[int, dict] = {}
    for chunk in chunks:
        usage = getattr(chunk, "usage", None)
        if usage:
            yield ChatMessageStreamDelta(token_usage=TokenUsage(usage.prompt_tokens, usage.completion_tokens))
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        for call in getattr(delta, "tool_calls", None) or []:
            slot = partial_calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
            slot["id"] = call.id or slot["id"]
            if call.function:
                slot["name"] += call.function.name or ""
                slot["arguments"] += call.function.arguments or ""
        if getattr(delta, "content", None):
            yield ChatMessageStreamDelta(content=delta.content)
    if partial_calls:
        calls = [_tool_call(c["id"], c["name"], c["arguments"]) for _, c in sorted(partial_calls.items())]
        yield ChatMessageStreamDelta(tool_calls=calls)


def _tool_call(call_id: str | None, name: str, arguments: Any) -> ChatMessageToolCall:
    return ChatMessageToolCall(
        id=call_id or "", function=ChatMessageToolCallFunction(name=name, arguments=parse_arguments(arguments))
    )
