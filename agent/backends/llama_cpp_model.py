"""A local GGUF model run in-process by llama.cpp (`pip install agentls[local]`)."""

from types import SimpleNamespace
from typing import Any

from agent.backends.openai_shape import OpenAIShapedModel
from agent.models import ModelError


class LlamaCppModel(OpenAIShapedModel):
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

    force_tool_choice = False

    def extra_request(self) -> dict:
        return {"max_tokens": self.max_tokens}

    def stream_options(self) -> dict:
        return {}

    def call(self, stream: bool = False, **request: Any):
        try:
            response = self.llm.create_chat_completion(**request, stream=stream)
        except (ValueError, RuntimeError) as e:  # e.g. the prompt outgrew the context window
            raise ModelError(f"The local model failed: {e}") from None
        return (_namespace(chunk) for chunk in response) if stream else _namespace(response)


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
