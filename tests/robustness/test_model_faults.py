"""Model faults, against a real OpenAI-compatible HTTP server on localhost
(tests/helpers/fake_openai.py) and both HTTP back ends: HTTP 429/500 and requests
that time out are retried with growing delays, then fail with a clear, key-free
ModelError; 400/401 are not retried; malformed answers, a stream that stalls and a
server that is down are ModelErrors too, never a raw exception. A whole CodeAgent run
ends within a budget derived from its timeout and retries when the model hangs, and
goes on past empty, garbage and runaway (huge, repeated) answers, whose size does not
ride along in later prompts.

Timing: only lower bounds (a backoff waited at least so long) and generous upper
budgets ("no hang") are asserted, so a loaded machine does not make them flaky.

Tallied per fault injected; a test's faults count as survived only when all its checks hold.
"""

import json
import socket
import threading
import time

import pytest

from agent import CodeAgent
from agent.errors import AgentParsingError
from agent.models import ChatMessage, LiteLLMModel, ModelError, OpenAIServerModel
from tests.robustness.report import tally

SENTINEL_KEY = "sk-agentls-robustness-sentinel-42"
MESSAGES = [ChatMessage(role="user", content="Say hi.")]
TIMEOUT = 0.5  # seconds per request
RETRIES = 2
# The first backoff; it doubles, with jitter down to half. Well above the time a back end
# takes to read an error response, so that a missing backoff shows in the gaps.
BASE_DELAY = 0.2
SLACK_SECONDS = 30  # start-up (litellm's import), a loaded machine


def budget(retries: int = RETRIES) -> float:
    """The longest a call may take: every attempt times out, every backoff is whole."""
    return (retries + 1) * TIMEOUT + sum(BASE_DELAY * 2**n for n in range(retries)) + SLACK_SECONDS


def openai_model(url: str, **options) -> OpenAIServerModel:
    options = {"timeout": TIMEOUT, "max_retries": RETRIES, **options}
    model = OpenAIServerModel("test-model", api_base=url + "/v1", api_key=SENTINEL_KEY, **options)
    model.retry_delay = BASE_DELAY
    return model


def litellm_model(url: str, **options) -> LiteLLMModel:
    options = {"timeout": TIMEOUT, "max_retries": RETRIES, **options}
    model = LiteLLMModel("openai/test-model", api_base=url + "/v1", api_key=SENTINEL_KEY, **options)
    model.retry_delay = BASE_DELAY
    return model


BACKENDS = {"openai": openai_model, "litellm": litellm_model}


def failure(call) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except Exception as e:  # what kind it is, is what the test checks
        return e, time.monotonic() - started
    return None, time.monotonic() - started


TRANSIENT = {
    "HTTP 429": (lambda server: server.fail(429, times=RETRIES + 1), "rate limited or out of quota", 0),
    "HTTP 500": (lambda server: server.fail(500, times=RETRIES + 1), "unreachable or failing", 0),
    "timeout": (lambda server: server.hang(times=RETRIES + 1), "unreachable or failing", TIMEOUT),
}


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
@pytest.mark.parametrize("fault", TRANSIENT, ids=TRANSIENT.keys())
def test_transient_failures_are_retried_with_backoff_then_fail_clearly(fake_openai, make, fault):
    inject, message, attempt_seconds = TRANSIENT[fault]
    inject(fake_openai)
    error, elapsed = failure(lambda: make(fake_openai.url).generate(MESSAGES))
    arrived = [request.time for request in fake_openai.requests]
    gaps = [later - earlier for earlier, later in zip(arrived, arrived[1:], strict=False)]
    checks = [
        isinstance(error, ModelError) and message in str(error) and "after retries" in str(error),
        SENTINEL_KEY not in str(error),
        len(arrived) == RETRIES + 1,
        # Backoff: each wait at least half its nominal delay (the jitter's floor), growing.
        all(gap >= attempt_seconds + 0.5 * BASE_DELAY * 2**n for n, gap in enumerate(gaps)),
        elapsed < budget(),
    ]
    tally(f"model: {fault}", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), (error, gaps, elapsed)


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_a_timeout_set_after_the_model_is_made_bounds_each_call(fake_openai, make):
    # The language server sets agentls.timeouts.model on a model it has already made.
    fake_openai.hang(times=1)
    model = make(fake_openai.url, timeout=300, max_retries=0)
    model.timeout = TIMEOUT
    error, elapsed = failure(lambda: model.generate(MESSAGES))
    assert isinstance(error, ModelError) and elapsed < TIMEOUT + SLACK_SECONDS, (error, elapsed)


PERMANENT = {"HTTP 400": (400, "the request failed"), "HTTP 401": (401, "authentication failed")}


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
@pytest.mark.parametrize("fault", PERMANENT, ids=PERMANENT.keys())
def test_permanent_failures_are_not_retried(fake_openai, make, fault):
    status, message = PERMANENT[fault]
    fake_openai.fail(status, times=RETRIES + 1)
    error, _ = failure(lambda: make(fake_openai.url).generate(MESSAGES))
    checks = [
        isinstance(error, ModelError) and message in str(error) and SENTINEL_KEY not in str(error),
        len(fake_openai.requests) == 1,
    ]
    tally(f"model: {fault}", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), error


MALFORMED = {
    "not JSON": lambda server: server.raw(200, b"<html>502 Bad Gateway</html>", times=RETRIES + 1),
    "no choices": lambda server: server.raw(200, json.dumps({"id": "x", "choices": []}).encode()),
    "no choices key": lambda server: server.raw(200, b'{"id": "x"}', times=RETRIES + 1),
}


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
@pytest.mark.parametrize("fault", MALFORMED, ids=MALFORMED.keys())
def test_malformed_answers_are_model_errors(fake_openai, make, fault):
    MALFORMED[fault](fake_openai)
    error, elapsed = failure(lambda: make(fake_openai.url).generate(MESSAGES))
    checks = [isinstance(error, ModelError) and SENTINEL_KEY not in str(error), elapsed < budget()]
    tally("model: malformed answer", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), repr(error)


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_a_stream_that_stalls_is_a_model_error(fake_openai, make):
    fake_openai.stall("the first words and then nothing more", after_chunks=2)
    received = []
    error, elapsed = failure(lambda: received.extend(make(fake_openai.url).generate_stream(MESSAGES)))
    checks = [
        isinstance(error, ModelError) and "broke off" in str(error),
        "".join(delta.content or "" for delta in received).startswith("the f"),  # what came before the stall, came
        elapsed < budget(0),
    ]
    tally("model: stream stalls", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), repr(error)


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_a_server_that_is_down(make):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    error, elapsed = failure(lambda: make(url).generate(MESSAGES))
    checks = [isinstance(error, ModelError) and "unreachable or failing" in str(error), elapsed < budget()]
    tally("model: server down", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), repr(error)


# -- whole agent runs ------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streaming"])
def test_an_agent_run_ends_with_a_clear_error_when_the_model_hangs(fake_openai, stream):
    fake_openai.reply("Look first.\n```python\nx = 1\n```")
    if stream:
        fake_openai.stall("Now I will", after_chunks=1)
    else:
        fake_openai.hang(times=RETRIES + 1)
    agent = CodeAgent(tools=[], model=openai_model(fake_openai.url), max_steps=5, stream_outputs=stream)
    try:
        error, elapsed = failure(lambda: agent.run("Do it."))
    finally:
        agent.close()
    checks = [
        isinstance(error, ModelError) and SENTINEL_KEY not in str(error),
        len(agent.memory.action_steps()) == 1,  # the first step ran; the second never got its answer
        elapsed < budget(),
    ]
    tally("model: hangs (agent run)", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), repr(error)


def test_an_agent_run_goes_on_past_empty_garbage_and_runaway_answers(fake_openai):
    runaway = "I need to check the file again. " * 60_000  # 1.9 MB of a model repeating itself
    fake_openai.reply("")
    fake_openai.reply(None)
    fake_openai.reply("\x00\ufffd}}]]) not an answer ((((")
    fake_openai.reply(runaway)
    fake_openai.reply("```python\n" + "print('again')\n" * 20_000 + "```")  # runaway code: 300 KB
    fake_openai.reply("Done.\n```python\nfinal_answer('still here')\n```")
    agent = CodeAgent(tools=[], model=openai_model(fake_openai.url), max_steps=8)
    try:
        answer = agent.run("Answer.")
    finally:
        agent.close()
    steps = agent.memory.action_steps()
    prompt_sizes = [len(json.dumps(request.body["messages"])) for request in fake_openai.requests]
    checks = [
        answer == "still here",
        all(isinstance(step.error, AgentParsingError) for step in steps[:4]),
        "limit" in str(steps[4].error),  # the code is too long to run
        max(prompt_sizes) < 100_000,  # the 1.9 MB reply is not repeated in later prompts
    ]
    tally("model: empty, garbage and runaway answers", injected=5, survived=5 * all(checks))
    assert checks == [True] * len(checks), ([str(s.error)[:100] for s in steps], prompt_sizes)


def test_a_model_that_only_ever_answers_nothing_ends_at_max_steps(fake_openai):
    for _ in range(4):
        fake_openai.reply("")
    agent = CodeAgent(tools=[], model=openai_model(fake_openai.url), max_steps=3, return_full_result=True)
    try:
        result = agent.run("Answer.")
    finally:
        agent.close()
    checks = [result.state == "max_steps_error", len(fake_openai.requests) == 4]
    tally("model: empty answers only", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), result


def test_an_endless_stream_is_cut_and_the_connection_closed(fake_openai):
    fake_openai.endless("I will read the file again. " * 40)  # about 1 KB per chunk, forever
    fake_openai.reply("```python\nfinal_answer('stopped listening')\n```")
    agent = CodeAgent(tools=[], model=openai_model(fake_openai.url), max_steps=3, stream_outputs=True)
    agent.max_streamed_chars = 50_000
    result = {}
    runner = threading.Thread(target=lambda: result.update(answer=agent.run("Answer.")), daemon=True)
    try:
        runner.start()
        runner.join(budget())
        finished = not runner.is_alive()
        if not finished:  # the failure this test looks for: stop it, and report it
            agent.interrupt()
            runner.join(10)
    finally:
        agent.close()
    steps = agent.memory.action_steps()
    checks = [
        finished and result.get("answer") == "stopped listening",
        steps and 50_000 < len(steps[0].model_output or "") < 60_000,  # what came, up to the cut
        fake_openai.hung_up.wait(10),  # the client closed the connection: the server stopped sending
        len(json.dumps(fake_openai.requests[-1].body["messages"])) < 100_000,
    ]
    tally("model: endless stream", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), (finished, fake_openai.streamed_chars)
