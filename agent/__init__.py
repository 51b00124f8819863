"""agentls's agent core: a library of its own, independent of LSP and of the workspace.

Public names resolve lazily (PEP 562) so that importing `agent` costs nothing until a
name is used: the language server starts fast and the executor's worker stays lean.
"""

from typing import TYPE_CHECKING

__all__ = ["CodeOutput", "InterpreterError", "LocalPythonExecutor"]

_WHERE = {
    "CodeOutput": "agent.executor",
    "InterpreterError": "agent.executor",
    "LocalPythonExecutor": "agent.executor",
}

if TYPE_CHECKING:
    from agent.executor import CodeOutput, InterpreterError, LocalPythonExecutor


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_WHERE[name]), name)
