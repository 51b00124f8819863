"""Hugging Face inference (serverless providers, Inference Endpoints, TGI) via `huggingface_hub.InferenceClient`."""

import os
from collections.abc import Iterator
from typing import Any

from agent.backends.errors import is_transient, model_error
from agent.backends.openai_server import deltas_from_chunks, message_from_response
from agent.models import ChatMessageStreamDelta, Model, as_message, with_retries
from agent.redaction import register_secret


class InferenceClientModel(Model):
    """`model_id` is a Hub model id; `base_url` points at an endpoint or TGI server instead."""

    def __init__(
        self,
        model_id: str = "Qwen/Qwen2.5-Coder-32B-Instruct",
        provider: str | None = None,
        token: str | None = None,
        base_url: str | None = None,
        timeout: float = 120,
        bill_to: str | None = None,
        max_retries: int = 4,
        **kwargs: Any,
    ):
        super().__init__(model_id=model_id, **kwargs)
        from huggingface_hub import InferenceClient

        token = token or os.environ.get("HF_TOKEN")
        register_secret(token)
        self.base_url = base_url
        self.max_retries = max_retries
        self.client = InferenceClient(
            model=None if base_url else model_id,
            base_url=base_url,
            provider=None if base_url else provider,
            token=token,
            timeout=timeout,
            bill_to=bill_to,
        )

    def request(self, messages, stop_sequences, response_format, tools_to_call_from, **kwargs) -> dict:
        request: dict[str, Any] = {"messages": [as_message(m).to_dict() for m in messages], **self.kwargs, **kwargs}
        if self.base_url:
            request["model"] = self.model_id  # OpenAI-compatible servers want a model name in the body
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
                lambda: self.client.chat_completion(**request), is_transient, self.max_retries, self.retry_delay
            )
        except Exception as e:  # every provider failure becomes a clear, key-free ModelError
            raise model_error(e, self.model_id, self.base_url, "HF_TOKEN") from None

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        return message_from_response(self.call(**request))

    def generate_stream(
        self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs
    ) -> Iterator[ChatMessageStreamDelta]:
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        yield from deltas_from_chunks(self.call(**request, stream=True, stream_options={"include_usage": True}))


HfApiModel = InferenceClientModel  # smolagents' former name
