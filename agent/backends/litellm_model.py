"""Any provider litellm knows (`openai/gpt-4o-mini`, `anthropic/...`, `ollama/qwen2.5-coder`, ...)."""

import os
from typing import Any

from agent.backends.errors import is_transient, model_error
from agent.backends.openai_shape import OpenAIShapedModel
from agent.models import TokenUsage, with_retries
from agent.redaction import register_secret


def import_litellm():
    """litellm, imported on first use (it takes seconds) with its bundled cost map
    (so the import does not reach for the network)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.drop_params = True  # providers refuse parameters they lack (e.g. stop) instead of ignoring them
    return litellm


class LiteLLMModel(OpenAIShapedModel):
    def __init__(
        self,
        model_id: str,
        api_base: str | None = None,
        api_key: str | None = None,
        max_retries: int = 4,
        timeout: float = 120,
        **kwargs: Any,
    ):
        super().__init__(model_id=model_id, **kwargs)
        register_secret(api_key)
        self.api_base = api_base
        self.api_key = api_key
        self.max_retries = max_retries
        self.timeout = timeout

    def extra_request(self) -> dict:
        extra: dict[str, Any] = {
            "model": self.model_id,
            "timeout": self.timeout,
            # Our retries (with_retries) are the only ones: litellm's and its SDKs' are off.
            "num_retries": 0,
            "max_retries": 0,
        }
        for key, value in (("api_base", self.api_base), ("api_key", self.api_key)):
            if value:
                extra[key] = value
        return extra

    def call(self, **request: Any):
        litellm = import_litellm()
        provider = self.model_id.split("/", 1)[0].upper()
        try:
            return with_retries(lambda: litellm.completion(**request), is_transient, self.max_retries, self.retry_delay)
        except Exception as e:  # every provider failure becomes a clear, key-free ModelError
            raise model_error(e, self.model_id, self.api_base, f"{provider}_API_KEY or the apiKey setting") from None

    def estimate_cost(self, usage: TokenUsage) -> float | None:
        """US dollars for `usage` from litellm's cost map; None when the model is not in it."""
        litellm = import_litellm()
        try:
            prompt, completion = litellm.cost_per_token(
                model=self.model_id, prompt_tokens=usage.input_tokens, completion_tokens=usage.output_tokens
            )
        except Exception:  # litellm raises a bare Exception for unknown models
            return None
        return prompt + completion
