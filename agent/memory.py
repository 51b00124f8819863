"""An agent's memory: the steps of a run, and the messages the model sees of them.

`AgentMemory.to_messages` applies the context discipline: an observation is
truncated head + tail when it is recorded, and observations older than the last
`keep_observations` steps shrink to a one-line stub, so the prompt does not grow
with every file the agent has read. The model's own earlier replies stay whole:
they carry its reasoning and are short (one that runs away, repeating itself, is cut
to MAX_REPLY_CHARS).
"""

import time
from dataclasses import dataclass, field
from typing import Any

from agent.errors import AgentError
from agent.models import ChatMessage, TokenUsage


@dataclass
class Timing:
    start_time: float
    end_time: float | None = None

    @property
    def duration(self) -> float | None:
        return None if self.end_time is None else self.end_time - self.start_time


@dataclass
class ToolCall:
    name: str
    arguments: Any
    id: str


@dataclass
class TaskStep:
    task: str


@dataclass
class PlanningStep:
    plan: str
    timing: Timing
    model_output_message: ChatMessage | None = None
    token_usage: TokenUsage | None = None


@dataclass
class ActionStep:
    step_number: int
    timing: Timing
    model_output_message: ChatMessage | None = None
    model_output: str | None = None
    code_action: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_outputs: list[str] | None = None  # ToolCallingAgent: one observation per call
    observations: str | None = None
    action_output: Any = None
    error: AgentError | None = None
    token_usage: TokenUsage | None = None
    is_final_answer: bool = False


@dataclass
class FinalAnswerStep:
    output: Any


MemoryStep = TaskStep | PlanningStep | ActionStep

MAX_REPLY_CHARS = 20_000  # a model's earlier reply, as later prompts repeat it


def truncate(text: str, limit: int) -> str:
    """Head and tail of `text` when it passes `limit` characters, with what was cut."""
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n... [{cut} characters omitted] ...\n{text[-half:]}"


def stub(text: str, step_number: int) -> str:
    first = text.strip().splitlines()[0][:100] if text.strip() else ""
    return f"[output of step {step_number} hidden to save context; first line: {first}]"


@dataclass
class AgentMemory:
    system_prompt: str = ""
    steps: list[MemoryStep] = field(default_factory=list)

    def reset(self) -> None:
        self.steps = []

    def action_steps(self) -> list[ActionStep]:
        return [step for step in self.steps if isinstance(step, ActionStep)]

    def token_usage(self) -> TokenUsage:
        total = TokenUsage()
        for step in self.steps:
            total = total + getattr(step, "token_usage", None)
        return total

    def to_messages(self, keep_observations: int = 3) -> list[ChatMessage]:
        messages = [ChatMessage(role="system", content=self.system_prompt)]
        actions = self.action_steps()
        recent = {id(step) for step in actions[-keep_observations:]} if keep_observations > 0 else set()
        for step in self.steps:
            if isinstance(step, TaskStep):
                messages.append(ChatMessage(role="user", content=f"Task: {step.task}"))
            elif isinstance(step, PlanningStep):
                messages.append(ChatMessage(role="assistant", content=step.plan))
                messages.append(ChatMessage(role="user", content="Carry out the plan."))
            elif isinstance(step, ActionStep):
                messages.extend(action_messages(step, full=id(step) in recent))
        return messages


def action_messages(step: ActionStep, full: bool) -> list[ChatMessage]:
    """The assistant's reply and what it observed; `full=False` stubs the observation."""
    reply = step.model_output_message
    if reply is not None and reply.tool_calls and step.tool_outputs is not None:
        # Native tool calling: the results go back as role "tool", one per call.
        content = truncate(reply.content, MAX_REPLY_CHARS) if reply.content else reply.content
        messages = [ChatMessage(role="assistant", content=content, tool_calls=reply.tool_calls)]
        for call, output in zip(reply.tool_calls, step.tool_outputs, strict=False):
            text = output if full else stub(output, step.step_number)
            messages.append(ChatMessage(role="tool", content=text, tool_call_id=call.id))
        if step.error is not None:
            messages.append(ChatMessage(role="user", content=_error_text(step.error)))
        return messages
    messages = []
    if step.model_output:
        # Replies are short, except a model stuck repeating itself: that must not ride
        # along in every later prompt.
        messages.append(ChatMessage(role="assistant", content=truncate(step.model_output, MAX_REPLY_CHARS)))
    if step.error is not None:
        text = _error_text(step.error)
        messages.append(ChatMessage(role="user", content=text if full else stub(text, step.step_number)))
    elif step.observations is not None:
        text = f"Observation:\n{step.observations}"
        messages.append(ChatMessage(role="user", content=text if full else stub(step.observations, step.step_number)))
    return messages


def _error_text(error: AgentError) -> str:
    logs = getattr(error, "logs", "")
    printed = f"Printed before the error:\n{logs}\n" if logs else ""
    return f"{printed}Error: {error}\nFix this and try again; do not repeat the same mistake."


def now() -> Timing:
    return Timing(start_time=time.perf_counter())
