"""Hugging Face inference (serverless providers, Inference Endpoints, TGI) via `huggingface_hub.InferenceClient`."""

import os
from typing import Any

from agent.backends.errors import is_transient, model_error
from agent.backends.openai_shape import OpenAIShapedModel
from agent.models import with_retries
from agent.redaction import register_secret


class InferenceClientModel(OpenAIShapedModel):
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

    def extra_request(self) -> dict:
        # OpenAI-compatible servers (base_url) want a model name in the body.
        return {"model": self.model_id} if self.base_url else {}

    def call(self, **request: Any):
        try:
            return with_retries(
                lambda: self.client.chat_completion(**request), is_transient, self.max_retries, self.retry_delay
            )
        except Exception as e:  # every provider failure becomes a clear, key-free ModelError
            raise model_error(e, self.model_id, self.base_url, "HF_TOKEN") from None


HfApiModel = InferenceClientModel  # smolagents' former name
