"""Sandboxed Python for the CodeAgent's actions (see local.py for the host side).

Names resolve lazily so that the worker process, which imports this package, does
not pay for the host's imports.
"""

from typing import TYPE_CHECKING

__all__ = ["BASE_BUILTIN_MODULES", "CodeOutput", "InterpreterError", "LocalPythonExecutor"]

_WHERE = {
    "BASE_BUILTIN_MODULES": "agent.executor.rules",
    "CodeOutput": "agent.executor.results",
    "InterpreterError": "agent.executor.results",
    "LocalPythonExecutor": "agent.executor.local",
}

if TYPE_CHECKING:
    from agent.executor.local import LocalPythonExecutor
    from agent.executor.results import CodeOutput, InterpreterError
    from agent.executor.rules import BASE_BUILTIN_MODULES


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'agent.executor' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_WHERE[name]), name)
