"""The HTTP model back ends against a real OpenAI-compatible server on localhost."""

import importlib.util
import json

import pytest

from agent.models import (
    AzureOpenAIServerModel,
    ChatMessage,
    InferenceClientModel,
    LiteLLMModel,
    ModelError,
    OpenAIServerModel,
)
from agent.tools import tool

SENTINEL_KEY = "sk-agentls-sentinel-0123456789abcdef"
MESSAGES = [ChatMessage(role="system", content="Be brief."), {"role": "user", "content": "Say hi."}]


@tool
def lookup(term: str) -> str:
    """Look a term up.

    Args:
        term: What to look up.
    """
    return term


def openai_model(server, **kwargs):
    model = OpenAIServerModel("test-model", api_base=server.url + "/v1", api_key=SENTINEL_KEY, **kwargs)
    model.retry_delay = 0.01
    return model


def litellm_model(server, **kwargs):
    model = LiteLLMModel("openai/test-model", api_base=server.url + "/v1", api_key=SENTINEL_KEY, **kwargs)
    model.retry_delay = 0.01
    return model


BACKENDS = {"openai": openai_model, "litellm": litellm_model}


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_generate_sends_the_request_and_reads_content_and_usage(fake_openai, make):
    fake_openai.reply("hi there", usage=(21, 4))
    reply = make(fake_openai).generate(MESSAGES, stop_sequences=["Observation:"])
    assert (reply.role, reply.content) == ("assistant", "hi there")
    assert (reply.token_usage.input_tokens, reply.token_usage.output_tokens) == (21, 4)
    body = fake_openai.requests[-1].body
    assert body["model"] == "test-model"
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hi."}]
    assert body["stop"] == ["Observation:"]
    assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {SENTINEL_KEY}"


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_tool_calling_sends_schemas_and_parses_calls(fake_openai, make):
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"term": "pi"}'}}
    fake_openai.reply(None, tool_calls=[call])
    reply = make(fake_openai).generate(MESSAGES, tools_to_call_from=[lookup])
    assert reply.tool_calls[0].function.name == "lookup"
    assert reply.tool_calls[0].function.arguments == {"term": "pi"}
    sent = fake_openai.requests[-1].body["tools"][0]["function"]
    assert sent["name"] == "lookup" and sent["parameters"]["required"] == ["term"]


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_streaming_yields_content_deltas_usage_and_whole_tool_calls(fake_openai, make):
    call = {"id": "call_9", "type": "function", "function": {"name": "lookup", "arguments": '{"term": "streams"}'}}
    fake_openai.reply("streamed answer", tool_calls=[call], usage=(30, 7))
    deltas = list(make(fake_openai).generate_stream(MESSAGES))
    assert "".join(d.content or "" for d in deltas) == "streamed answer"
    assert sum(1 for d in deltas if d.content) > 1  # really incremental
    calls = [c for d in deltas for c in d.tool_calls or []]
    assert [(c.function.name, c.function.arguments) for c in calls] == [("lookup", {"term": "streams"})]
    usage = [d.token_usage for d in deltas if d.token_usage]
    assert (usage[-1].input_tokens, usage[-1].output_tokens) == (30, 7)


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_rate_limits_and_server_errors_are_retried(fake_openai, make):
    fake_openai.fail(429)
    fake_openai.fail(503)
    fake_openai.reply("after retries")
    assert make(fake_openai).generate(MESSAGES).content == "after retries"
    assert len(fake_openai.requests) == 3


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_persistent_failure_gives_up_with_a_clear_error(fake_openai, make):
    fake_openai.fail(500, times=10)
    with pytest.raises(ModelError, match="unreachable or failing") as error:
        make(fake_openai, max_retries=2).generate(MESSAGES)
    assert len(fake_openai.requests) == 3
    assert SENTINEL_KEY not in str(error.value)


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_auth_failure_is_not_retried_and_never_echoes_the_key(fake_openai, make):
    fake_openai.fail(401)
    with pytest.raises(ModelError, match="authentication failed") as error:
        make(fake_openai).generate(MESSAGES)
    assert len(fake_openai.requests) == 1
    assert SENTINEL_KEY not in str(error.value)
    assert "API key" in str(error.value)


def test_azure_deployment_route(fake_openai):
    fake_openai.reply("from azure")
    model = AzureOpenAIServerModel(
        "my-deployment", azure_endpoint=fake_openai.url, api_key=SENTINEL_KEY, api_version="2024-10-21"
    )
    assert model.generate(MESSAGES).content == "from azure"
    request = fake_openai.requests[-1]
    assert request.path.startswith("/openai/deployments/my-deployment/chat/completions")
    assert "api-version=2024-10-21" in request.path
    assert request.headers["api-key"] == SENTINEL_KEY


def test_hugging_face_inference_client_against_an_endpoint(fake_openai):
    fake_openai.reply("from tgi", usage=(8, 2))
    model = InferenceClientModel("tgi-model", base_url=fake_openai.url + "/v1", token=SENTINEL_KEY)
    reply = model.generate(MESSAGES, stop_sequences=["END"])
    assert reply.content == "from tgi"
    assert reply.token_usage.input_tokens == 8
    assert fake_openai.requests[-1].body["stop"] == ["END"]
    deltas = []
    fake_openai.reply("streamed tgi")
    deltas = list(model.generate_stream(MESSAGES))
    assert "".join(d.content or "" for d in deltas) == "streamed tgi"


def test_litellm_cost_estimate_from_its_bundled_cost_map():
    from agent.models import TokenUsage

    model = LiteLLMModel("openai/gpt-4o-mini")
    cost = model.estimate_cost(TokenUsage(1_000_000, 0))
    assert cost is not None and 0.01 < cost < 10
    assert LiteLLMModel("openai/not-a-real-model-xyz").estimate_cost(TokenUsage(10, 10)) is None


def test_message_round_trip_keeps_tool_calls():
    data = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": json.dumps({"a": 1})}}],
    }
    message = ChatMessage.from_dict(data)
    assert message.tool_calls[0].function.arguments == {"a": 1}
    assert ChatMessage.from_dict(message.to_dict()).to_dict() == message.to_dict()


@pytest.mark.skipif(bool(importlib.util.find_spec("llama_cpp")), reason="llama.cpp is installed here")
def test_llama_cpp_model_without_its_extra_says_what_to_install():
    from agent.models import LlamaCppModel

    with pytest.raises(ModelError, match=r"pip install 'agentls\[local\]'"):
        LlamaCppModel("model.gguf")


@pytest.mark.skipif(bool(importlib.util.find_spec("transformers")), reason="transformers is installed here")
def test_transformers_model_without_its_extra_says_what_to_install():
    from agent.models import TransformersModel

    with pytest.raises(ModelError, match=r"pip install 'agentls\[transformers\]'"):
        TransformersModel("some/model")
