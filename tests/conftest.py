"""Fixtures shared by every test package."""

import pytest

from tests.helpers.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai():
    """A real OpenAI-compatible HTTP server on localhost (see tests/helpers/fake_openai.py)."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def clean_provider_env(monkeypatch):
    """No provider keys or endpoints from the developer's shell leak into a test."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "MISTRAL_API_KEY",
        "DEEPSEEK_API_KEY",
        "GROQ_API_KEY",
        "OPENROUTER_API_KEY",
        "HF_TOKEN",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT",
        "AGENTLS_MODEL",
        "AGENTLS_LOCAL_MODEL",
        "OLLAMA_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
