"""A tool as a self-contained Python module: its source plus the imports it needs.

    code = tool_module_source(word_count)      # "from agent import tool\nimport re\n\n@tool\ndef ..."

For a `@tool` function the module is the function's source (with `@tool`); for a
`Tool` subclass, the class's source. Every other name the code uses must be a
builtin, bound in the code itself, or importable: a module (`import re`) or a
module's attribute (`from pathlib import Path`). Anything else — a helper or a
constant defined next to the tool, a variable a nested function closes over, code
typed in a REPL — is refused with the name and what to do, because the saved
tool would not run on its own.
"""

import ast
import builtins
import inspect
import sys
import textwrap
import types
from importlib import metadata
from typing import Any

from agent.tools import FunctionTool, Tool
from agent.tools import tool as tool_decorator

HEADER = '"""{name}: an agentls tool, saved by Tool.save()."""\n\n'


class ToolNotPortable(ValueError):
    """A tool that cannot be written out as a self-contained module."""


def tool_module_source(tool: Tool) -> tuple[str, str]:
    """(module source, the name to load from it: the tool object or its class)."""
    if isinstance(tool, FunctionTool):
        obj, kind = tool.function, "function"
        if obj.__code__.co_freevars:
            raise ToolNotPortable(
                f"cannot save the tool {tool.name!r}: its function uses the local variables "
                f"{', '.join(obj.__code__.co_freevars)} of the function that defines it; define it at module "
                "level and pass those values as arguments"
            )
    else:
        obj, kind = type(tool), "class"
        if _required_init_arguments(obj):
            raise ToolNotPortable(
                f"cannot save the tool {tool.name!r}: {obj.__name__}() needs the arguments "
                f"{', '.join(_required_init_arguments(obj))}; a saved tool is created without arguments"
            )
    source = _source(obj, tool.name)
    if kind == "function":
        source = _with_tool_decorator(source)
    namespace = obj.__globals__ if kind == "function" else vars(sys.modules[obj.__module__])
    needed = free_names(source) - ({"tool"} if kind == "function" else set())
    imports = [_import_for(name, namespace, tool.name) for name in sorted(needed)]
    if kind == "function":
        imports.append("from agent import tool")
    code = HEADER.format(name=tool.name) + "\n".join(sorted(set(imports))) + "\n\n\n" + source.strip() + "\n"
    return code, obj.__name__


def requirements(code: str) -> list[str]:
    """The distributions a module's imports come from (agentls for `agent`), stdlib left out."""
    tops = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            tops.add(node.module.split(".")[0])
    tops -= set(sys.stdlib_module_names)
    found = {"agentls"} if tops & {"agent"} else set()
    if tops - {"agent"}:
        distributions = metadata.packages_distributions()  # slow (every installed package): only when needed
        found.update(distributions.get(top, [top])[0] for top in tops - {"agent"})
    return sorted(found)


def free_names(source: str) -> set[str]:
    """Names the code reads but never binds, builtins excepted: what it needs from outside."""
    tree = ast.parse(source)
    bound, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return {name for name in used - bound if not hasattr(builtins, name)}


def _import_for(name: str, namespace: dict[str, Any], tool_name: str) -> str:
    if name not in namespace:
        raise ToolNotPortable(f"cannot save the tool {tool_name!r}: it uses the name {name!r}, which is not defined")
    value = namespace[name]
    if isinstance(value, types.ModuleType):
        module = value.__name__
        return f"import {module}" if module == name else f"import {module} as {name}"
    if value is Tool or value is tool_decorator:
        public = value.__name__
        return f"from agent import {public}" if public == name else f"from agent import {public} as {name}"
    module = getattr(value, "__module__", None)
    elsewhere = module not in (None, "__main__", namespace.get("__name__"))
    if elsewhere and getattr(sys.modules.get(module), name, None) is value:  # importable under this name
        return f"from {module} import {name}"
    raise ToolNotPortable(
        f"cannot save the tool {tool_name!r}: it uses {name!r}, defined next to it rather than imported; "
        "move it inside the tool (or import it inside the tool from an installed module)"
    )


def _source(obj: Any, tool_name: str) -> str:
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        raise ToolNotPortable(
            f"cannot save the tool {tool_name!r}: its source code is not available (was it typed in a REPL?); "
            "define it in a .py file"
        ) from None


def _with_tool_decorator(source: str) -> str:
    """The function's source with exactly one decorator, `@tool` (it may have been
    decorated `@tool`, `@agent.tool`, or made by calling `tool(function)`)."""
    function = ast.parse(source).body[0]
    return "@tool\n" + "\n".join(source.splitlines()[function.lineno - 1 :])


def _required_init_arguments(cls: type) -> list[str]:
    if cls.__init__ is object.__init__:
        return []
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [
        p.name
        for p in parameters
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
