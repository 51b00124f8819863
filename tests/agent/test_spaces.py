"""Gradio Spaces as tools: a real Gradio app launched locally (tests/helpers/gradio_app.py),
loaded with Tool.from_space(<its URL>) and called through gradio_client."""

import pytest

from agent import CodeAgent, ExternalToolError, ScriptedModel, Tool
from tests.helpers.gradio_app import greeter, launched


@pytest.fixture(scope="module")
def space_url():
    with launched(greeter()) as url:
        yield url


@pytest.fixture(scope="module")
def greet(space_url):
    return Tool.from_space(space_url, "greet", "Greet someone by name.", api_name="/greet")


def test_the_spaces_api_becomes_the_tools_schema(greet):
    assert greet.to_signature() == (
        "def greet(name: str, times: int | None = None, excited: bool | None = None) -> str:\n"
        '    """Greet someone by name.\n    name: name\n    times: times\n    excited: excited"""'
    )
    parameters = greet.to_tool_schema()["function"]["parameters"]
    assert parameters["required"] == ["name"]
    assert parameters["properties"]["times"] == {"type": "integer", "description": "times", "default": 1}


def test_calling_the_tool_calls_the_space(greet):
    assert greet("Ann") == "Hello Ann"
    assert greet(name="Ann", times=2, excited=True) == "Hello Ann! Hello Ann!"


def test_the_first_endpoint_is_the_default_and_a_wrong_one_is_named(space_url):
    hello = Tool.from_space(space_url, "hello")
    assert hello.api_name == "/greet" and hello.description == "Greet someone."  # the endpoint's docstring
    with pytest.raises(ValueError, match="has no endpoint 'shout'; it has /greet, /translate"):
        Tool.from_space(space_url, "shout", "Shout.", api_name="shout")


def test_an_error_in_the_space_reaches_the_model_and_the_agent_goes_on(space_url, greet):
    translate = Tool.from_space(space_url, "translate", "Translate to French.", api_name="translate")
    with pytest.raises(ExternalToolError, match="the translation model is overloaded"):
        translate("hello")
    model = ScriptedModel(["```python\nprint(translate('hello'))\n```", "```python\nfinal_answer(greet('Ann'))\n```"])
    agent = CodeAgent(tools=[translate, greet], model=model)
    try:
        assert agent.run("Greet Ann in French if you can.") == "Hello Ann"
    finally:
        agent.close()
    failed = agent.memory.action_steps()[0].error
    assert "ExternalToolError: translate: the Space" in str(failed) and "overloaded, try again" in str(failed)


def test_a_space_that_is_down_is_reported_when_loading_and_when_calling():
    with launched(greeter()) as url:
        tool = Tool.from_space(url, "greet", "Greet someone.")
    with pytest.raises(ExternalToolError, match=f"greet: the Space {url} failed: .*Connect"):
        tool("Ann")
    with pytest.raises(ConnectionError, match=f"the Space {url} is not reachable"):
        Tool.from_space(url, "greet", "Greet someone.")
