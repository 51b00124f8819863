"""CodeAgent and ToolCallingAgent on recorded trajectories (tests/data/*.jsonl).

Each recording holds the model's answers and the requests the agent sent. The
ReplayModel fails on any request the recording does not have, so these tests also
pin the prompts; after an intended change, `make record` and review the diff.
"""

import threading
import time
from pathlib import Path

import pytest

from agent import (
    ActionStep,
    AgentInterrupted,
    ChatMessage,
    CodeAgent,
    FinalAnswerStep,
    Model,
    PlanningStep,
    ReplayModel,
    ScriptedModel,
    ToolCallingAgent,
    tool,
)
from agent.errors import AgentExecutionError, AgentMaxStepsError, AgentParsingError
from agent.models import ChatMessageStreamDelta
from agent.replay import RecordingModel, ReplayMismatch

DATA = Path(__file__).parent.parent / "data"
PRICES = {"apple": 1.0, "pear": 0.5}


@tool
def lookup_price(item: str) -> float:
    """The price of one item, in dollars.

    Args:
        item: The item's name, e.g. "apple".
    """
    if item not in PRICES:
        raise KeyError(f"no price for {item!r}; known items: {', '.join(PRICES)}")
    return PRICES[item]


@tool
def convert(amount: float, currency: str) -> float:
    """Convert dollars to another currency.

    Args:
        amount: Dollars.
        currency: A currency code such as "EUR".
    """
    return round(amount * 0.92, 4)


def replay(name: str) -> ReplayModel:
    return ReplayModel(DATA / f"{name}.jsonl")


@pytest.fixture
def agents():
    made = []

    def make(kind=CodeAgent, **kwargs):
        agent = kind(tools=[lookup_price, convert], **kwargs)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        if isinstance(agent, CodeAgent):
            agent.close()


def test_code_agent_solves_a_multi_step_task_with_tools(agents):
    model = replay("code_agent_prices")
    agent = agents(model=model)
    assert agent.run("What do 3 apples and 2 pears cost in EUR?") == 3.68
    steps = agent.memory.action_steps()
    assert [s.error for s in steps] == [None, None, None]
    assert steps[0].observations == "1.0 0.5"
    assert steps[1].observations == "3.68"
    assert steps[2].is_final_answer
    assert model.remaining == 0
    assert agent.token_usage().input_tokens > 0


def test_code_agent_recovers_from_tool_errors_and_malformed_replies(agents):
    agent = agents(model=replay("code_agent_recovers"))
    assert agent.run("How much is a banana?") == "apples cost 1.0"
    errors = [s.error for s in agent.memory.action_steps()]
    assert isinstance(errors[0], AgentExecutionError) and "no price for 'banana'" in str(errors[0])
    assert isinstance(errors[1], AgentParsingError) and "no code block" in str(errors[1])
    assert errors[2:] == [None, None]  # <code> tags and an unclosed fence both parse


def test_the_model_sees_errors_as_observations(agents):
    model = replay("code_agent_recovers")
    agents(model=model).run("How much is a banana?")
    second_request = model.calls[1]["request"]["messages"]
    assert second_request[-1]["role"] == "user"
    assert "KeyError" in second_request[-1]["content"] and "Fix this" in second_request[-1]["content"]


def test_tool_calling_agent_with_native_calls_bad_arguments_and_text_fallback(agents):
    agent = agents(ToolCallingAgent, model=replay("tool_calling_agent_prices"))
    assert agent.run("What do 3 apples and 2 pears cost in EUR?") == "3.22 EUR"
    first, second, third, last = agent.memory.action_steps()
    assert [c.name for c in first.tool_calls] == ["lookup_price", "lookup_price"]
    assert first.tool_outputs == ["1.0", "0.5"]
    assert "argument 'amount'" in second.tool_outputs[0] and "three" in second.tool_outputs[0]
    assert third.tool_outputs == ["3.22"]
    assert last.is_final_answer and last.tool_outputs is None  # parsed from text


def test_planning_interval_plans_at_the_start_and_every_n_steps(agents):
    agent = agents(model=replay("code_agent_planning"), planning_interval=2)
    assert agent.run("Price of an apple in EUR?") == 0.92
    kinds = [type(s).__name__ for s in agent.memory.steps[1:]]
    assert kinds == ["PlanningStep", "ActionStep", "ActionStep", "PlanningStep", "ActionStep"]
    assert agent.memory.steps[1].plan.startswith("1. Look up")


def test_managed_agent_is_called_like_a_tool(agents):
    model = replay("code_agent_managed")
    member = ToolCallingAgent(
        tools=[lookup_price], model=model, name="pricing_agent", description="Finds prices of fruit."
    )
    manager = agents(model=model, managed_agents=[member])
    assert manager.run("How much is a pear?") == "A pear costs 0.5 dollars."
    assert "def pricing_agent(task: str) -> str" in manager.memory.system_prompt
    assert "Report from 'pricing_agent'" in manager.memory.action_steps()[0].observations


def test_step_callbacks_see_every_step_as_list_or_by_type(agents):
    seen, typed = [], []
    agent = agents(
        model=replay("code_agent_planning"),
        planning_interval=2,
        step_callbacks=[lambda step: seen.append(type(step).__name__)],
    )
    agent.run("Price of an apple in EUR?")
    assert seen == ["PlanningStep", "ActionStep", "ActionStep", "PlanningStep", "ActionStep"]
    agent = agents(
        model=replay("code_agent_planning"),
        planning_interval=2,
        step_callbacks={PlanningStep: lambda step, agent: typed.append(agent.task)},
    )
    agent.run("Price of an apple in EUR?")
    assert typed == ["Price of an apple in EUR?"] * 2


def test_final_answer_checks_reject_and_the_model_tries_again(agents):
    def is_number(answer, memory):
        return isinstance(answer, float)

    agent = agents(model=replay("code_agent_checks"), final_answer_checks=[is_number])
    assert agent.run("Price of an apple?") == 1.0
    first, second = agent.memory.action_steps()
    assert "rejected by is_number" in str(first.error) and not first.is_final_answer
    assert second.is_final_answer


def test_max_steps_asks_for_the_best_answer_and_reports_the_state(agents):
    agent = agents(model=replay("code_agent_max_steps"), max_steps=2)
    result = agent.run("Compare the prices.", return_full_result=True)
    assert result.output == "Apples cost 1.0 and pears 0.5 dollars."
    assert result.state == "max_steps_error"
    assert isinstance(agent.memory.action_steps()[-1].error, AgentMaxStepsError)


def test_instructions_and_additional_args_reach_the_model_and_the_code(agents):
    model = ScriptedModel(["```python\nfinal_answer(basket['apple'] * lookup_price('apple'))\n```"])
    agent = agents(model=model, instructions="Answer in dollars.")
    assert agent.run("Cost of the basket?", additional_args={"basket": {"apple": 4}}) == 4.0
    assert "Answer in dollars." in model.requests[0]["messages"][0]["content"]
    assert "Variables you can use: basket (dict)" in model.requests[0]["messages"][1]["content"]


def test_stream_yields_deltas_then_steps_then_the_final_answer(agents):
    agent = agents(model=replay("code_agent_prices"))
    events = list(agent.run("What do 3 apples and 2 pears cost in EUR?", stream=True))
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "ChatMessageStreamDelta",
        "ActionStep",
        "ChatMessageStreamDelta",
        "ActionStep",
        "ChatMessageStreamDelta",
        "ActionStep",
        "FinalAnswerStep",
    ]
    assert isinstance(events[-1], FinalAnswerStep) and events[-1].output == 3.68


class SlowModel(Model):
    """Answers after `delay` seconds (a model call in flight)."""

    def __init__(self, delay: float, answer: str):
        super().__init__(model_id="slow")
        self.delay, self.answer = delay, answer

    def generate(self, messages, **kwargs):
        time.sleep(self.delay)
        return ChatMessage(role="assistant", content=self.answer)

    def generate_stream(self, messages, **kwargs):
        for _ in range(int(self.delay / 0.05)):
            time.sleep(0.05)
            yield ChatMessageStreamDelta(content=".")


@pytest.mark.parametrize("stream", [False, True])
def test_interrupt_stops_a_model_call_in_flight(agents, stream):
    agent = agents(model=SlowModel(30, "```python\nfinal_answer(1)\n```"))
    threading.Timer(0.3, agent.interrupt).start()
    started = time.monotonic()
    with pytest.raises(AgentInterrupted):
        events = agent.run("Wait.", stream=stream)
        if stream:
            list(events)
    assert time.monotonic() - started < 2


def test_interrupt_stops_running_code(agents):
    agent = agents(model=ScriptedModel(["```python\nwhile True:\n    pass\n```"]))
    threading.Timer(0.5, agent.interrupt).start()
    started = time.monotonic()
    with pytest.raises(AgentInterrupted):
        agent.run("Spin.")
    assert time.monotonic() - started < 3


def test_old_observations_are_masked_and_long_ones_truncated(agents):
    answers = [f"```python\nprint('step {i} ' + 'x' * 9000)\n```" for i in range(1, 6)]
    model = ScriptedModel([*answers, "```python\nfinal_answer('done')\n```"])
    agent = agents(model=model, keep_observations=2, max_observation_chars=1000)
    agent.run("Print a lot.")
    last_request = model.requests[-1]["messages"]
    observations = [m["content"] for m in last_request if m["role"] == "user"][1:]
    assert observations[0].startswith("[output of step 1 hidden")
    assert observations[2].startswith("[output of step 3 hidden")
    assert observations[3].startswith("Observation:\nstep 4 ")
    assert "characters omitted" in observations[4]
    assert all(len(text) < 1200 for text in observations)


def test_replay_fails_loudly_on_an_unexpected_request(agents):
    model = ReplayModel(DATA / "code_agent_prices.jsonl", rerecord=False)  # even under `make record`
    agent = agents(model=model, instructions="Something new in the prompt.")
    with pytest.raises(ReplayMismatch, match="message 1 differs"):
        agent.run("What do 3 apples and 2 pears cost in EUR?")


def test_a_recorded_run_replays_to_the_same_result(agents, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-sentinel-recording-secret-42")
    live = ScriptedModel(
        [
            "```python\nprint(lookup_price('pear'))\n```",
            "```python\nfinal_answer('sk-sentinel-recording-secret-42')\n```",
        ]
    )
    path = tmp_path / "run.jsonl"
    assert agents(model=RecordingModel(live, path)).run("Pear?") == "sk-sentinel-recording-secret-42"
    text = path.read_text()
    assert "sk-sentinel-recording-secret-42" not in text and "[REDACTED]" in text
    replayed = ReplayModel(path)
    agents(model=replayed).run("Pear?")
    assert replayed.remaining == 0


def test_a_prompt_set_missing_a_key_is_refused_with_its_name():
    from agent.prompts import load_prompt_templates

    templates = load_prompt_templates("code_agent").model_dump()
    del templates["planning"]["initial_plan"]
    with pytest.raises(ValueError, match="planning.initial_plan: missing"):
        CodeAgent(tools=[], model=ScriptedModel([]), prompt_templates=templates)


def test_agent_over_real_http_with_litellm(agents, fake_openai):
    from agent import LiteLLMModel

    fake_openai.reply("```python\nfinal_answer(lookup_price('apple') * 2)\n```", usage=(321, 12))
    model = LiteLLMModel("openai/test", api_base=fake_openai.url + "/v1", api_key="sk-test-key-0000")
    agent = agents(model=model)
    assert agent.run("Two apples?") == 2.0
    assert agent.token_usage().input_tokens == 321
    assert fake_openai.requests[0].body["stop"] == ["Observation:", "Calling tools:"]


def test_steps_record_timing_and_usage(agents):
    agent = agents(model=replay("code_agent_prices"))
    agent.run("What do 3 apples and 2 pears cost in EUR?")
    for step in agent.memory.action_steps():
        assert isinstance(step, ActionStep)
        assert step.timing.duration is not None and step.timing.duration >= 0
        assert step.token_usage is not None


def test_streaming_agent_over_real_http(agents, fake_openai):
    from agent import OpenAIServerModel

    fake_openai.reply("Let me compute.\n```python\nfinal_answer(lookup_price('pear') * 4)\n```", usage=(50, 9))
    model = OpenAIServerModel("test", api_base=fake_openai.url + "/v1", api_key="sk-test-key-0000")
    events = list(agents(model=model).run("Four pears?", stream=True))
    deltas = [e for e in events if isinstance(e, ChatMessageStreamDelta) and e.content]
    assert len(deltas) > 5
    assert "".join(d.content for d in deltas).startswith("Let me compute.")
    step = next(e for e in events if isinstance(e, ActionStep))
    assert step.token_usage.input_tokens == 50
    assert events[-1].output == 2.0
