"""Errors during an agent run. The first four are the model's to fix: the loop records
them as the step's observation and goes on. AgentInterrupted and ModelError end the run."""


class AgentError(Exception):
    """Something the model caused and can correct; its message is the observation."""


class AgentParsingError(AgentError):
    """The model's answer had no usable action (no code block, no tool call)."""


class AgentExecutionError(AgentError):
    """The action's code failed; `logs` is what it printed first."""

    def __init__(self, message: str, logs: str = ""):
        super().__init__(message)
        self.logs = logs


class AgentToolCallError(AgentError):
    """A tool call named an unknown tool, had bad arguments, or the tool failed."""


class AgentMaxStepsError(AgentError):
    """The run reached max_steps without a final answer."""


class AgentInterrupted(Exception):
    """The run was cancelled (agent.interrupt()); nothing more is done."""


class ExternalToolError(AgentToolCallError):
    """A tool backed by something outside (an MCP server, a Space) failed or is gone;
    the message says what happened, for the model to work around."""


def exception_text(error: BaseException) -> str:
    """str(error), even when a tool's exception class cannot describe itself."""
    try:
        return str(error)
    except Exception:  # a broken __str__ in someone's exception must not end the run
        return "(the error's message could not be shown)"
