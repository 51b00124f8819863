"""A local GGUF model run in-process by llama.cpp (`pip install agentls[local]`)."""

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from agent.backends.openai_server import deltas_from_chunks, message_from_response
from agent.models import ChatMessageStreamDelta, Model, ModelError, as_message


class LlamaCppModel(Model):
    def __init__(
        self,
        model_path: str,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        chat_format: str | None = None,
        max_tokens: int = 384,
        **kwargs: Any,
    ):
        super().__init__(model_id=model_path, **kwargs)
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("The local model needs llama.cpp: pip install 'agentls[local]'.") from None
        self.max_tokens = max_tokens
        try:
            self.llm = Llama(
                model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, chat_format=chat_format, verbose=False
            )
        except (ValueError, OSError) as e:
            raise ModelError(f"Cannot load the local model {model_path}: {e}") from None
        from llama_cpp import LlamaRAMCache

        # Each step's prompt starts with the previous one's: reuse its evaluated prefix.
        self.llm.set_cache(LlamaRAMCache(capacity_bytes=256 << 20))

    def request(self, messages, stop_sequences, response_format, tools_to_call_from, **kwargs) -> dict:
        request: dict[str, Any] = {
            "messages": [as_message(m).to_dict() for m in messages],
            "max_tokens": self.max_tokens,
            **self.kwargs,
            **kwargs,
        }
        if stop_sequences:
            request["stop"] = stop_sequences
        if response_format:
            request["response_format"] = response_format
        if tools_to_call_from:
            request["tools"] = [tool.to_tool_schema() for tool in tools_to_call_from]
        return request

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        try:
            response = self.llm.create_chat_completion(**request)
        except (ValueError, RuntimeError) as e:  # e.g. the prompt outgrew the context window
            raise ModelError(f"The local model failed: {e}") from None
        return message_from_response(_namespace(response))

    def generate_stream(
        self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs
    ) -> Iterator[ChatMessageStreamDelta]:
        request = self.request(messages, stop_sequences, response_format, tools_to_call_from, **kwargs)
        chunks = (_namespace(chunk) for chunk in self.llm.create_chat_completion(**request, stream=True))
        yield from deltas_from_chunks(chunks)


def _namespace(value: Any) -> Any:
    """llama.cpp answers with dicts in the OpenAI shape; the shared parsers read attributes."""
    if isinstance(value, dict):
        data = {key: _namespace(item) for key, item in value.items()}
        data.setdefault("usage", None)
        data.setdefault("tool_calls", None)
        return SimpleNamespace(**data)
    if isinstance(value, list):
        return [_namespace(item) for item in value]
    return value
