"""agentls's agent core: a library of its own, independent of LSP and of the workspace.

    from agent import CodeAgent, tool, LiteLLMModel

Public names resolve lazily (PEP 562) so that importing `agent` costs nothing until a
name is used: the language server starts fast and the executor's worker stays lean.
"""

from typing import TYPE_CHECKING

_WHERE = {
    "MultiStepAgent": "agent.agents",
    "CodeAgent": "agent.agents",
    "ToolCallingAgent": "agent.agents",
    "RunResult": "agent.agents",
    "Tool": "agent.tools",
    "tool": "agent.tools",
    "FinalAnswerTool": "agent.tools",
    "ToolArgumentError": "agent.tools",
    "ToolCollection": "agent.tool_collection",
    "ExternalToolError": "agent.errors",
    "ChatMessage": "agent.models",
    "ChatMessageStreamDelta": "agent.models",
    "Model": "agent.models",
    "ModelError": "agent.models",
    "TokenUsage": "agent.models",
    "LiteLLMModel": "agent.models",
    "OpenAIServerModel": "agent.models",
    "AzureOpenAIServerModel": "agent.models",
    "InferenceClientModel": "agent.models",
    "HfApiModel": "agent.models",
    "TransformersModel": "agent.models",
    "LlamaCppModel": "agent.models",
    "ReplayModel": "agent.replay",
    "ScriptedModel": "agent.replay",
    "RecordingModel": "agent.replay",
    "resolve_model": "agent.model_choice",
    "ActionStep": "agent.memory",
    "PlanningStep": "agent.memory",
    "TaskStep": "agent.memory",
    "FinalAnswerStep": "agent.memory",
    "AgentError": "agent.errors",
    "AgentInterrupted": "agent.errors",
    "PromptTemplates": "agent.prompts",
    "CodeOutput": "agent.executor",
    "InterpreterError": "agent.executor",
    "LocalPythonExecutor": "agent.executor",
}
__all__ = [
    "ActionStep",
    "AgentError",
    "AgentInterrupted",
    "AzureOpenAIServerModel",
    "ChatMessage",
    "ChatMessageStreamDelta",
    "CodeAgent",
    "CodeOutput",
    "ExternalToolError",
    "FinalAnswerStep",
    "FinalAnswerTool",
    "HfApiModel",
    "InferenceClientModel",
    "InterpreterError",
    "LiteLLMModel",
    "LlamaCppModel",
    "LocalPythonExecutor",
    "Model",
    "ModelError",
    "MultiStepAgent",
    "OpenAIServerModel",
    "PlanningStep",
    "PromptTemplates",
    "RecordingModel",
    "ReplayModel",
    "RunResult",
    "ScriptedModel",
    "TaskStep",
    "TokenUsage",
    "Tool",
    "ToolArgumentError",
    "ToolCallingAgent",
    "ToolCollection",
    "TransformersModel",
    "resolve_model",
    "tool",
]

if TYPE_CHECKING:
    from agent.agents import CodeAgent, MultiStepAgent, RunResult, ToolCallingAgent
    from agent.errors import AgentError, AgentInterrupted, ExternalToolError
    from agent.executor import CodeOutput, InterpreterError, LocalPythonExecutor
    from agent.memory import ActionStep, FinalAnswerStep, PlanningStep, TaskStep
    from agent.model_choice import resolve_model
    from agent.models import (
        AzureOpenAIServerModel,
        ChatMessage,
        ChatMessageStreamDelta,
        HfApiModel,
        InferenceClientModel,
        LiteLLMModel,
        LlamaCppModel,
        Model,
        ModelError,
        OpenAIServerModel,
        TokenUsage,
        TransformersModel,
    )
    from agent.prompts import PromptTemplates
    from agent.replay import RecordingModel, ReplayModel, ScriptedModel
    from agent.tool_collection import ToolCollection
    from agent.tools import FinalAnswerTool, Tool, ToolArgumentError, tool


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'agent' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_WHERE[name]), name)
