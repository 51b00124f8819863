"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama, LM Studio), and Azure OpenAI."""

import os
from collections.abc import Iterable, Iterator
from typing import Any

from agent.backends.errors import is_transient, model_error
from agent.models import (
    ChatMessage,
    ChatMessageStreamDelta,
    ChatMessageToolCall,
    ChatMessageToolCallFunction,
    Model,
    TokenUsage,
    as_message,
    parse_arguments,
    with_retries,
)
from agent.redaction import register_secret


class OpenAIServerModel(Model):
    key_hint = "OPENAI_API_KEY"

    def __init__(
        self,
        model_id: str,
        api_base: str | None = None,
        api_key: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        client_kwargs: dict | None = None,
        max_retries: int = 4,
        timeout: float = 120,
        **kwargs: Any,
    ):
        super().__init__(model_id=model_id, **kwargs)
        register_secret(api_key)
        self.api_base = api_base or os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE")
        self.max_retries = max_retries
        self.client = self.create_client(
            api_key=api_key, organization=organization, project=project, timeout=timeout, **(client_kwargs or {})
        )

    def create_client(self, **options: Any):
        import openai

        register_secret(os.environ.get("OPENAI_API_KEY"))
        if not options.get("api_key") and not os.environ.get("OPENAI_API_KEY"):
            options["api_key"] = "not-needed"  # local servers take any key; openai insists on one
        return openai.OpenAI(base_url=self.api_base, max_retries=0, **options)

    def request(self, messages, stop_sequences, response_format, tools_to_call_from, **kwargs) -> dict:
        request: dict[str, Any] = {
            "model": self.model_id,
            "messages": [as_message(m).to_dict() for m in messages],
            **self.kwargs,
            **kwargs,
        }
        if stop_sequences:
            request["stop"] = stop_sequences
        if response_format:
            request["response_format"] = response_format
        if tools_to_call_from:
            request["tools"] = [tool.to_tool_schema() for tool in tools_to_call_from]
            request.setdefault("tool_choice", "required")
        return request

    def call(self, **request: Any):
        try:
            return with_retries(
                lambda: self.client.chat.completions.create(**request), is_transient, self.max_retries, self.retry_delay
            )
        except Exception as e:  # every provider failure becomes a clear, key-free ModelError
            raise model_error(e, self.model_id, self.api_base, self.key_hint) from None

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        return message_from_response(self.call(**request))

    def generate_stream(
        self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs
    ) -> Iterator[ChatMessageStreamDelta]:
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        yield from deltas_from_chunks(self.call(**request, stream=True, stream_options={"include_usage": True}))


class AzureOpenAIServerModel(OpenAIServerModel):
    """Azure OpenAI: `model_id` is the deployment name. Reads AZURE_OPENAI_ENDPOINT,
    AZURE_OPENAI_API_KEY and OPENAI_API_VERSION when not given."""

    key_hint = "AZURE_OPENAI_API_KEY"

    def __init__(
        self,
        model_id: str,
        azure_endpoint: str | None = None,
        api_key: str | None = None,
        api_version: str | None = None,
        **kwargs: Any,
    ):
        self.azure_endpoint = azure_endpoint or os.environ.get("AZURE_OPENAI_ENDPOINT")
        self.api_version = api_version or os.environ.get("OPENAI_API_VERSION") or "2024-10-21"
        super().__init__(model_id, api_base=self.azure_endpoint, api_key=api_key, **kwargs)

    def create_client(self, **options: Any):
        import openai

        register_secret(os.environ.get("AZURE_OPENAI_API_KEY"))
        options.pop("organization", None)
        options.pop("project", None)
        return openai.AzureOpenAI(
            azure_endpoint=self.azure_endpoint, api_version=self.api_version, max_retries=0, **options
        )


# OpenAI-shaped responses and stream chunks (the openai client's and litellm's alike).


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
        if delta.content:
            yield ChatMessageStreamDelta(content=delta.content)
    if partial_calls:
        calls = [_tool_call(c["id"], c["name"], c["arguments"]) for _, c in sorted(partial_calls.items())]
        yield ChatMessageStreamDelta(tool_calls=calls)


def _tool_call(call_id: str | None, name: str, arguments: Any) -> ChatMessageToolCall:
    return ChatMessageToolCall(
        id=call_id or "", function=ChatMessageToolCallFunction(name=name, arguments=parse_arguments(arguments))
    )
