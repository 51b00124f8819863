"""Reading actions out of a model's reply, tolerantly.

Models wrap code in ```python fences, untagged fences, smolagents' <code> tags, or
forget to close the fence; they put text around it. Tool calls without native
support come as JSON, perhaps fenced, perhaps after "Action:". What cannot be read
raises AgentParsingError with what the model should send instead.
"""

import ast
import json
import re
import uuid

from agent.errors import AgentParsingError
from agent.models import ChatMessageToolCall, ChatMessageToolCallFunction, parse_arguments

_FENCED = re.compile(r"```[ \t]*(?P<lang>[\w+-]*)[ \t]*\n(?P<code>.*?)(?:\n```|\Z)", re.DOTALL)
_TAGGED = re.compile(r"<code>\s*\n?(?P<code>.*?)\s*(?:</code>|\Z)", re.DOTALL)
_PYTHON_TAGS = {"python", "py", "python3", ""}

CODE_FORMAT_HINT = (
    "Reply with a sentence of reasoning, then your code in one block:\n"
    "```python\n# your code\n```\nCall final_answer(...) in the code when you are done."
)


def parse_code(text: str | None) -> str:
    """The Python to run from a reply: all python (or untagged) fenced blocks, joined."""
    if not text or not text.strip():
        raise AgentParsingError(f"Your reply was empty. {CODE_FORMAT_HINT}")
    blocks = [m.group("code") for m in _FENCED.finditer(text) if m.group("lang").lower() in _PYTHON_TAGS]
    if not blocks:
        blocks = [m.group("code") for m in _TAGGED.finditer(text)]
    blocks = [block.strip("\n") for block in blocks if block.strip()]
    if blocks:
        return "\n\n".join(blocks)
    if _looks_like_bare_code(text):
        return text.strip()
    raise AgentParsingError(f"Your reply had no code block. {CODE_FORMAT_HINT}")


def _looks_like_bare_code(text: str) -> bool:
    """A reply that is nothing but valid Python calling something (models sometimes drop the fence)."""
    try:
        tree = ast.parse(text.strip())
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) for node in ast.walk(tree))


def parse_tool_calls(text: str | None) -> list[ChatMessageToolCall]:
    """Tool calls written as JSON in the reply text, for models without native tool calling.

    Accepts {"name": ..., "arguments": {...}} (or "tool"/"tool_name" and "args"/"parameters"),
    a list of those, fenced or after "Action:".
    """
    if not text:
        return []
    for candidate in _json_candidates(text):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        items = data if isinstance(data, list) else [data]
        calls = [call for item in items if (call := _as_tool_call(item)) is not None]
        if calls:
            return calls
    return []


def _json_candidates(text: str) -> list[str]:
    candidates = [m.group("code") for m in _FENCED.finditer(text)]
    start = min((i for i in (text.find("{"), text.find("[")) if i != -1), default=-1)
    if start != -1:
        candidates.append(_balanced(text, start))
    return candidates


def _balanced(text: str, start: int) -> str:
    """The JSON value starting at `start`, by bracket depth (strings respected)."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return text[start:]


def _as_tool_call(item: object) -> ChatMessageToolCall | None:
    if not isinstance(item, dict):
        return None
    name = item.get("name") or item.get("tool") or item.get("tool_name")
    if not isinstance(name, str):
        function = item.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            return _as_tool_call(function)
        return None
    arguments = item.get("arguments", item.get("args", item.get("parameters", {})))
    return ChatMessageToolCall(
        id=f"call_{uuid.uuid4().hex[:12]}",
        function=ChatMessageToolCallFunction(name=name, arguments=parse_arguments(arguments)),
    )
