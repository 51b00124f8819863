"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama, LM Studio), and Azure OpenAI."""

import os
from typing import Any

from agent.backends.errors import is_transient, model_error
from agent.backends.openai_shape import OpenAIShapedModel
from agent.models import with_retries
from agent.redaction import register_secret


class OpenAIServerModel(OpenAIShapedModel):
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
        self.timeout = timeout  # seconds per call; the server sets it from agentls.timeouts.model
        self.client = self.create_client(
            api_key=api_key, organization=organization, project=project, **(client_kwargs or {})
        )

    def create_client(self, **options: Any):
        import openai

        register_secret(os.environ.get("OPENAI_API_KEY"))
        if not options.get("api_key") and not os.environ.get("OPENAI_API_KEY"):
            options["api_key"] = "not-needed"  # local servers take any key; openai insists on one
        return openai.OpenAI(base_url=self.api_base, max_retries=0, **options)

    def extra_request(self) -> dict:
        return {"model": self.model_id}

    def call(self, **request: Any):
        try:
            return with_retries(
                lambda: self.client.chat.completions.create(**request, timeout=self.timeout),
                is_transient,
                self.max_retries,
                self.retry_delay,
            )
        except Exception as e:  # every provider failure becomes a clear, key-free ModelError
            raise model_error(e, self.model_id, self.api_base, self.key_hint) from None


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
