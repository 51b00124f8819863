"""Tools as a model sees them (signature, JSON schema) and as it calls them (validation)."""

import pytest

from agent import Tool, ToolArgumentError, tool
from agent.tools import parse_docstring


@tool
def find(pattern: str, path: str | None = None, limit: int = 20, regex: bool = False) -> list[str]:
    """Search the workspace for a pattern.

    Args:
        pattern: Text (or a regular expression with regex=True) to look for.
        path: Folder to search in; the whole workspace when omitted.
        limit: At most this many matches.
        regex: Treat the pattern as a regular expression.

    Returns:
        Matching lines.
    """
    return [pattern, path, limit, regex]


class Weather(Tool):
    """A smolagents-style tool: class attributes and forward()."""

    name = "weather"
    description = "Today's weather in a city."
    inputs = {
        "city": {"type": "string", "description": "City name."},
        "days": {"type": "integer", "description": "Forecast days.", "nullable": True},
    }
    output_type = "string"

    def forward(self, city, days=None):
        return f"{city}: sunny x{days or 1}"


def test_schema_from_type_hints_and_docstring():
    assert find.name == "find"
    assert find.description == "Search the workspace for a pattern."
    assert find.inputs["pattern"] == {"type": "string", "description": find.inputs["pattern"]["description"]}
    assert find.inputs["path"]["nullable"] is True
    assert find.inputs["limit"]["type"] == "integer"
    assert find.output_type == "array"
    assert "regular expression" in find.inputs["pattern"]["description"]


def test_renders_as_a_python_signature_for_code_agents():
    text = find.to_signature()
    assert text.startswith(
        "def find(pattern: str, path: str | None = None, limit: int = 20, regex: bool = False) -> list[str]:"
    )
    assert "limit: At most this many matches." in text
    assert Weather().to_signature().startswith("def weather(city: str, days: int | None = None) -> str:")


def test_renders_as_a_json_schema_for_tool_calling():
    schema = find.to_tool_schema()["function"]
    assert schema["name"] == "find"
    assert schema["parameters"]["required"] == ["pattern"]
    assert schema["parameters"]["properties"]["limit"] == {
        "type": "integer",
        "description": "At most this many matches.",
    }
    assert schema["parameters"]["properties"]["pattern"]["type"] == "string"


def test_arguments_are_validated_and_coerced():
    assert find("x", limit="5") == ["x", None, 5, False]
    assert Weather()("Paris", days="3") == "Paris: sunny x3"


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((), {}, "missing the argument 'pattern'"),
        (("x",), {"limit": "lots"}, "argument 'limit': Input should be a valid integer"),
        (("x",), {"colour": "red"}, "unknown argument 'colour' (arguments: pattern, path, limit, regex)"),
        (("x", None, 1, True, "extra"), {}, "takes 4 arguments"),
        (("x",), {"pattern": "y"}, "two values for the argument 'pattern'"),
    ],
)
def test_bad_arguments_give_a_message_the_model_can_act_on(args, kwargs, message):
    with pytest.raises(ToolArgumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find(*args, **kwargs)


def test_a_tool_needs_type_hints_and_a_description():
    with pytest.raises(TypeError, match="needs a type hint"):

        @tool
        def untyped(x) -> str:
            """Does things."""

    with pytest.raises(TypeError, match="docstring must say what the tool does"):

        @tool
        def undocumented(x: int) -> str:
            pass


def test_docstring_parsing_handles_types_and_continuation_lines():
    description, args = parse_docstring(
        "Do a thing.\n\nArgs:\n    a (int): First\n        continued here.\n    b: Second.\n\nReturns:\n    x"
    )
    assert description == "Do a thing."
    assert args == {"a": "First continued here.", "b": "Second."}
