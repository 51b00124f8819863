"""Model strings to models, and what `auto` picks (with a real local "Ollama" endpoint)."""

import pytest

from agent.model_choice import resolve_model
from agent.models import LiteLLMModel, ModelError
from agent.replay import ReplayModel
from tests.helpers.fake_openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("clean_provider_env")


def test_a_litellm_id_gives_a_litellm_model():
    choice = resolve_model("anthropic/claude-3-5-haiku-20241022", api_base="http://proxy:4000")
    assert isinstance(choice.model, LiteLLMModel)
    assert (choice.model.model_id, choice.model.api_base) == (
        "anthropic/claude-3-5-haiku-20241022",
        "http://proxy:4000",
    )


def test_replay_reads_a_recording(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_text('{"kind": "call", "response": {"role": "assistant", "content": "hi"}}\n')
    choice = resolve_model(f"replay:{path}")
    assert isinstance(choice.model, ReplayModel) and str(path) in choice.reason
    with pytest.raises(ModelError, match="no recording"):
        resolve_model(f"replay:{tmp_path / 'missing.jsonl'}")


def test_a_bare_name_is_refused_with_the_accepted_forms():
    with pytest.raises(ModelError, match="litellm id with its provider"):
        resolve_model("gpt-4o")


def test_auto_prefers_the_agentls_model_variable(monkeypatch):
    monkeypatch.setenv("AGENTLS_MODEL", "mistral/codestral-latest")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-000000000")
    choice = resolve_model("auto")
    assert choice.model.model_id == "mistral/codestral-latest"
    assert "AGENTLS_MODEL" in choice.reason


def test_auto_uses_a_provider_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-000000000")
    choice = resolve_model("auto")
    assert choice.model.model_id.startswith("anthropic/")
    assert "ANTHROPIC_API_KEY is set" in choice.reason
    assert "sk-ant-test" not in choice.reason


def test_auto_finds_a_local_ollama_and_prefers_a_coder_model(monkeypatch):
    with FakeOpenAI(ollama_models=["llama3.2:3b", "qwen2.5-coder:7b"]) as ollama:
        monkeypatch.setenv("OLLAMA_HOST", ollama.url)
        choice = resolve_model("auto")
    assert choice.model.model_id == "ollama_chat/qwen2.5-coder:7b"
    assert choice.model.api_base == ollama.url
    assert "Ollama" in choice.reason


def test_auto_without_any_model_says_how_to_configure_one(monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AGENTLS_LOCAL_MODEL", str(tmp_path / "missing.gguf"))  # nor is the embedded model there
    with pytest.raises(ModelError) as error:
        resolve_model("auto")
    message = str(error.value)
    assert "agentls.model" in message and "OPENAI_API_KEY" in message and "ollama serve" in message
    assert "pip install 'agentls[local]'" in message
