"""JSON schemas of tools from elsewhere (MCP servers, Spaces) as a Tool's `inputs`.

    inputs_from_json_schema({"type": "object", "properties": {"a": {"type": "integer"}},
                             "required": ["a"]})
    -> {"a": {"type": "integer", "description": ""}}

Optional properties become nullable (the model may leave them out); a property that
allows several types becomes "any"; `enum` and `items` are kept for the model to read.
"""

from typing import Any

from agent.tools import PYTHON_TYPES

KEPT_KEYS = ("enum", "items", "default")


def inputs_from_json_schema(schema: dict) -> dict[str, dict[str, Any]]:
    required = set(schema.get("required") or ())
    inputs = {}
    for name, prop in (schema.get("properties") or {}).items():
        json_type, nullable = type_of(prop if isinstance(prop, dict) else {})
        spec: dict[str, Any] = {"type": json_type, "description": str(prop.get("description") or "")}
        spec.update({key: prop[key] for key in KEPT_KEYS if key in prop})
        if nullable or name not in required:
            spec["nullable"] = True
        inputs[name] = spec
    return inputs


def type_of(prop: dict) -> tuple[str, bool]:
    """(our type, nullable) of one property: "string" ... "object", or "any"."""
    declared = prop.get("type")
    if declared is None:
        options = prop.get("anyOf") or prop.get("oneOf")
        if not options:
            return "any", False
        declared = [option.get("type") for option in options if isinstance(option, dict)]
    kinds = declared if isinstance(declared, list) else [declared]
    nullable = "null" in kinds
    kinds = [kind for kind in kinds if kind != "null"]
    if len(kinds) == 1 and kinds[0] in PYTHON_TYPES:
        return kinds[0], nullable
    return "any", nullable
