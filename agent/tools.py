"""`Tool` and `@tool`: functions an agent can call, with a schema the model reads.

    @tool
    def read_file(path: str, start_line: int | None = None) -> str:
        \"\"\"Show a file with line numbers.

        Args:
            path: Workspace-relative path.
            start_line: First line to show (1-based).
        \"\"\"

The schema comes from the type hints and the docstring's Args section. A tool
renders as a Python signature (CodeAgent prompts) and as a JSON schema (tool
calling). Arguments from a model are validated with pydantic; bad ones raise
`ToolArgumentError`, whose message tells the model what to change.
"""

import inspect
import os
import re
import types
import typing
from collections.abc import Callable
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

JSON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    tuple: "array",
    set: "array",
    dict: "object",
    type(None): "null",
}
PYTHON_TYPES = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
    "any": Any,
    "null": type(None),
}


class ToolArgumentError(TypeError):
    """A model called a tool with arguments that do not fit its schema."""


class Tool:
    """Subclass and set `name`, `description`, `inputs`, `output_type`; implement `forward`.

    `inputs` maps each argument to {"type": <json type or "any">, "description": str,
    "nullable": bool (optional)}, as in smolagents.
    """

    name: str
    description: str
    inputs: dict[str, dict[str, Any]]
    output_type: str = "any"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(**self.validate_arguments(args, kwargs))

    def validate_arguments(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        names = list(self.inputs)
        if len(args) > len(names):
            raise ToolArgumentError(
                f"{self.name}() takes {len(names)} arguments ({', '.join(names)}) but got {len(args)}"
            )
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key in values:
                raise ToolArgumentError(f"{self.name}() got two values for the argument {key!r}")
            values[key] = value
        try:
            validated = self._argument_model.model_validate(values)
        except ValidationError as e:
            raise ToolArgumentError(f"{self.name}(): {_describe(e, self.inputs)}") from None
        return {name: getattr(validated, name) for name in names}

    @cached_property
    def _argument_model(self) -> type[BaseModel]:
        signature = inspect.signature(self.forward)
        hints = _type_hints(self.forward)
        fields: dict[str, Any] = {}
        for name, spec in self.inputs.items():
            parameter = signature.parameters.get(name)
            annotation = hints.get(name) or PYTHON_TYPES.get(spec.get("type", "any"), Any)
            if parameter is not None and parameter.default is not inspect.Parameter.empty:
                default = parameter.default
            else:
                default = None if spec.get("nullable") else ...
            if spec.get("nullable"):
                annotation = annotation | None if annotation is not Any else Any
            fields[name] = (annotation, default)
        config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")
        return create_model(f"{self.name}_arguments", __config__=config, **fields)

    # -- rendering ---------------------------------------------------------------

    def to_tool_schema(self) -> dict:
        """The OpenAI / litellm function-calling schema."""
        properties, required = {}, []
        for name, spec in self.inputs.items():
            schema = {key: value for key, value in spec.items() if key not in ("nullable", "type")}
            if spec.get("type", "any") != "any":
                schema["type"] = spec["type"]
            if schema.get("type") == "array":
                schema.setdefault("items", {})
            properties[name] = schema
            if not spec.get("nullable") and not self._has_default(name):
                required.append(name)
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {"type": "object", "properties": properties, "required": required},
            },
        }

    def to_signature(self) -> str:
        """A compact Python stub: how the CodeAgent's prompt shows the tool."""
        signature = inspect.signature(self.forward)
        hints = _type_hints(self.forward)
        parts = []
        for name, spec in self.inputs.items():
            annotation = _annotation_text(hints.get(name)) if name in hints else _json_to_python(spec)
            parameter = signature.parameters.get(name)
            if parameter is not None and parameter.default is not inspect.Parameter.empty:
                parts.append(f"{name}: {annotation} = {parameter.default!r}")
            elif spec.get("nullable"):
                parts.append(f"{name}: {annotation} = None")
            else:
                parts.append(f"{name}: {annotation}")
        returns = (
            _annotation_text(hints["return"]) if "return" in hints else _json_to_python({"type": self.output_type})
        )
        described = [f"{name}: {spec['description']}" for name, spec in self.inputs.items() if spec.get("description")]
        doc = self.description.strip()
        if described:
            doc += "\n    " + "\n    ".join(described)
        return f'def {self.name}({", ".join(parts)}) -> {returns}:\n    """{doc}"""'

    def _has_default(self, name: str) -> bool:
        parameter = inspect.signature(self.forward).parameters.get(name)
        return parameter is not None and parameter.default is not inspect.Parameter.empty

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"

    # -- sharing (agent/sharing.py, agent/spaces.py; the Hub needs the `hub` extra) ------

    def save(self, output_dir: str | os.PathLike) -> None:
        """Write the tool as a self-contained folder: tool.py, tool.json, requirements.txt."""
        from agent.sharing import save_tool

        save_tool(self, output_dir)

    @classmethod
    def from_dir(cls, folder: str | os.PathLike) -> "Tool":
        """The tool a folder holds (written by `save`); its code runs in this process."""
        from agent.sharing import load_tool

        return load_tool(folder)

    def push_to_hub(self, repo_id: str, commit_message: str = "Upload tool", **options: Any) -> str:
        """Upload to a Space on the Hub (options: token, private, create_pr); the commit's URL."""
        from agent.sharing import push_tool

        return push_tool(self, repo_id, commit_message, **options)

    @classmethod
    def from_hub(cls, repo_id: str, trust_remote_code: bool = False, **options: Any) -> "Tool":
        """A tool from a Space on the Hub (options: token, revision); runs its code, hence trust_remote_code."""
        from agent.sharing import tool_from_hub

        return tool_from_hub(repo_id, trust_remote_code, **options)

    @staticmethod
    def from_space(
        space_id: str, name: str, description: str = "", api_name: str | None = None, **options: Any
    ) -> "Tool":
        """A Gradio Space (an id such as "owner/space" or a URL) as a tool, through gradio_client;
        options: token, timeout. Without a description, the endpoint's own."""
        from agent.spaces import SpaceTool

        return SpaceTool(space_id, name, description, api_name, **options)


class FunctionTool(Tool):
    """A tool made by `@tool` from a plain function."""

    def __init__(self, function: Callable, name: str, description: str, inputs: dict, output_type: str):
        self.function = function
        self.name = name
        self.description = description
        self.inputs = inputs
        self.output_type = output_type
        self.forward = function  # so signatures, hints and defaults come from the function itself


def tool(function: Callable) -> Tool:
    """Make a Tool from a function with type hints and a docstring with an Args section."""
    hints = _type_hints(function)
    description, arg_docs = parse_docstring(inspect.getdoc(function) or "")
    inputs = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"@tool {function.__name__}: *args and **kwargs cannot be described to a model")
        if name not in hints:
            raise TypeError(f"@tool {function.__name__}: the argument {name!r} needs a type hint")
        json_type, nullable = json_type_of(hints[name])
        inputs[name] = {"type": json_type, "description": arg_docs.get(name, "")}
        if nullable:
            inputs[name]["nullable"] = True
    output_type = json_type_of(hints["return"])[0] if "return" in hints else "any"
    if not description:
        raise TypeError(f"@tool {function.__name__}: the docstring must say what the tool does")
    return FunctionTool(function, function.__name__, description, inputs, output_type)


class FinalAnswerTool(Tool):
    name = "final_answer"
    description = "Give the final answer to the task and stop."
    inputs = {"answer": {"type": "any", "description": "The final answer."}}
    output_type = "any"

    def forward(self, answer: Any) -> Any:
        return answer


# -- helpers -------------------------------------------------------------------


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(description, {arg: description}) from a Google-style docstring."""
    match = re.search(r"^\s*(Args|Arguments|Parameters):\s*$", doc, re.MULTILINE)
    if not match:
        return doc.strip(), {}
    description = doc[: match.start()].strip()
    args: dict[str, str] = {}
    current = None
    for line in doc[match.end() :].splitlines():
        if re.match(r"^\s*(Returns|Raises|Yields|Examples?):\s*$", line):
            break
        entry = re.match(r"^\s+(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$", line)
        if entry:
            current = entry.group(1).lstrip("*")
            args[current] = entry.group(3).strip()
        elif current and line.strip():
            args[current] += " " + line.strip()
    return description, args


def json_type_of(annotation: Any) -> tuple[str, bool]:
    """(json type, nullable) for a Python annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(typing.get_args(annotation))
        if len(members) == 1:
            return json_type_of(members[0])[0], nullable
        return "any", nullable
    if origin is typing.Literal:
        return json_type_of(type(typing.get_args(annotation)[0]))
    base = origin or annotation
    return JSON_TYPES.get(base, "any"), False


def _type_hints(function: Callable) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except (NameError, TypeError):
        return getattr(function, "__annotations__", {})


def _annotation_text(annotation: Any) -> str:
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _json_to_python(spec: dict) -> str:
    python = PYTHON_TYPES.get(spec.get("type", "any"), Any)
    name = "Any" if python is Any else python.__name__
    return f"{name} | None" if spec.get("nullable") else name


def _describe(error: ValidationError, inputs: dict) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        if item["type"] == "missing":
            problems.append(f"missing the argument {where!r}")
        elif item["type"] == "extra_forbidden":
            problems.append(f"unknown argument {where!r} (arguments: {', '.join(inputs)})")
        else:
            problems.append(f"argument {where!r}: {item['msg']} (got {item.get('input')!r:.80})")
    return "; ".join(problems)
