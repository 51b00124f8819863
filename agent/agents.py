"""The agents: MultiStepAgent (the loop), CodeAgent (actions are Python) and ToolCallingAgent.

    agent = CodeAgent(tools=[read_file], model=LiteLLMModel("openai/gpt-4o-mini"))
    answer = agent.run("What does main.py do?")
    for event in agent.run(task, stream=True): ...   # steps (and model deltas) as they happen

The loop, in `MultiStepAgent._run`: render the prompt; then per step: check limits
and cancellation, (plan,) call the model, parse its action, execute it, record the
step, stop on a final answer. Streaming, progress and logging are the caller's, via
`stream=True` or `step_callbacks`; nothing here prints.
"""

import inspect
import logging
import os
import threading
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from typing import Any

from agent.errors import (
    AgentError,
    AgentExecutionError,
    AgentInterrupted,
    AgentMaxStepsError,
    AgentParsingError,
    AgentToolCallError,
    exception_text,
)
from agent.memory import ActionStep, AgentMemory, FinalAnswerStep, PlanningStep, TaskStep, ToolCall, now, truncate
from agent.models import ChatMessage, ChatMessageStreamDelta, Model, TokenUsage, join_deltas
from agent.parsing import parse_code, parse_tool_calls
from agent.prompts import PromptTemplates, load_prompt_templates, render, validate_prompt_templates
from agent.tools import FinalAnswerTool, Tool, ToolArgumentError

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What `run(..., return_full_result=True)` returns."""

    output: Any
    state: str  # "success" or "max_steps_error"
    steps: list
    token_usage: TokenUsage
    duration: float


@dataclass
class _Final:
    output: Any


class MultiStepAgent:
    prompt_file = ""  # the YAML in agent/prompts/ (set by subclasses)
    # A streamed reply is cut here: past any model's output limit, so only a model (or
    # server) stuck repeating itself forever reaches it.
    max_streamed_chars = 1_000_000

    def __init__(
        self,
        tools: list[Tool],
        model: Model,
        prompt_templates: PromptTemplates | dict | None = None,
        instructions: str | None = None,
        max_steps: int = 20,
        managed_agents: list["MultiStepAgent"] | None = None,
        step_callbacks: list[Callable] | dict[type, Callable | list[Callable]] | None = None,
        planning_interval: int | None = None,
        name: str | None = None,
        description: str | None = None,
        final_answer_checks: list[Callable] | None = None,
        return_full_result: bool = False,
        stream_outputs: bool = False,
        keep_observations: int = 3,
        max_observation_chars: int = 6000,
        **kwargs: Any,  # smolagents options with no effect here (verbosity_level, logger, ...)
    ):
        self.model = model
        self.prompt_templates = (
            validate_prompt_templates(prompt_templates) if prompt_templates else load_prompt_templates(self.prompt_file)
        )
        self.instructions = instructions
        self.max_steps = max_steps
        self.planning_interval = planning_interval
        self.name = name
        self.description = description
        self.final_answer_checks = list(final_answer_checks or [])
        self.return_full_result = return_full_result
        self.stream_outputs = stream_outputs
        self.keep_observations = keep_observations
        self.max_observation_chars = max_observation_chars
        self.managed_agents = {agent.name: agent for agent in managed_agents or []}
        for agent in self.managed_agents.values():
            if not agent.name or not agent.description:
                raise ValueError("a managed agent needs a name and a description (the manager calls it like a tool)")
        self.tools: dict[str, Tool] = {tool.name: tool for tool in tools}
        self.tools.setdefault("final_answer", FinalAnswerTool())
        clash = set(self.tools) & set(self.managed_agents)
        if clash:
            raise ValueError(f"tools and managed agents share the names {sorted(clash)}")
        self.step_callbacks = _callback_table(step_callbacks)
        self.memory = AgentMemory()
        self.task = ""
        self._interrupted = threading.Event()

    # -- public ------------------------------------------------------------------

    def run(
        self,
        task: str,
        stream: bool = False,
        reset: bool = True,
        additional_args: dict | None = None,
        max_steps: int | None = None,
        return_full_result: bool | None = None,
    ):
        """The final answer (or a RunResult); with stream=True, a generator of steps and deltas."""
        if additional_args:
            self.prepare_additional_args(additional_args)
            task += "\nVariables you can use: " + ", ".join(
                f"{key} ({type(value).__name__})" for key, value in additional_args.items()
            )
        events = self._run(task, max_steps or self.max_steps, reset, stream)
        if stream:
            return events
        started = now()
        final = None
        for event in events:
            if isinstance(event, FinalAnswerStep):
                final = event
        if return_full_result if return_full_result is not None else self.return_full_result:
            last = self.memory.action_steps()[-1:] or [None]
            state = "max_steps_error" if last[0] and isinstance(last[0].error, AgentMaxStepsError) else "success"
            duration = now().start_time - started.start_time
            return RunResult(final.output, state, list(self.memory.steps), self.memory.token_usage(), duration)
        return final.output

    def interrupt(self) -> None:
        """Stop the run from another thread (or the next one, if none is running): it
        raises AgentInterrupted promptly."""
        self._interrupted.set()
        for agent in self.managed_agents.values():
            agent.interrupt()

    def token_usage(self) -> TokenUsage:
        return self.memory.token_usage()

    # -- sharing (agent/sharing.py) --------------------------------------------------

    def save(self, output_dir: str | os.PathLike) -> None:
        """Write the agent as a folder: agent.json, prompts.yaml, tools/, managed_agents/, requirements.txt."""
        from agent.sharing import save_agent

        save_agent(self, output_dir)

    def push_to_hub(self, repo_id: str, commit_message: str = "Upload agent", **options: Any) -> str:
        """Upload to a Space on the Hub (options: token, private, create_pr); the commit's URL."""
        from agent.sharing import push_agent

        return push_agent(self, repo_id, commit_message, **options)

    @classmethod
    def from_dir(cls, folder: str | os.PathLike, model: Model | None = None, **kwargs: Any) -> "MultiStepAgent":
        """The agent a folder holds, with `model` (default: the saved model id); kwargs override settings."""
        from agent.sharing import load_agent

        return load_agent(folder, model, cls, **kwargs)

    from_folder = from_dir  # smolagents' name

    @classmethod
    def from_hub(
        cls, repo_id: str, model: Model | None = None, trust_remote_code: bool = False, **kwargs: Any
    ) -> "MultiStepAgent":
        """An agent from a Space on the Hub (kwargs: token, revision, settings); its tools run here."""
        from agent.sharing import agent_from_hub

        return agent_from_hub(repo_id, trust_remote_code, model, cls, **kwargs)

    # -- the loop ----------------------------------------------------------------

    def _run(self, task: str, max_steps: int, reset: bool, stream: bool) -> Generator:
        # An interrupt that came before the run started stops it at the first check;
        # the flag is cleared when the run ends, whichever way it ends.
        try:
            yield from self._steps(task, max_steps, reset, stream)
        finally:
            self._interrupted.clear()

    def _steps(self, task: str, max_steps: int, reset: bool, stream: bool) -> Generator:
        self.task = task
        if reset:
            self.memory.reset()
        self.memory.system_prompt = self.system_prompt()
        self.memory.steps.append(TaskStep(task))
        self.on_run_start()
        final: _Final | None = None
        for step_number in range(1, max_steps + 1):
            self._check_interrupted()
            if self.planning_interval and (step_number - 1) % self.planning_interval == 0:
                yield from self._plan(step_number, max_steps, stream)
            step = ActionStep(step_number=step_number, timing=now())
            # Errors are values for the model, exceptions for bugs: an AgentError
            # (unparseable reply, failing code, bad tool call, rejected answer) is
            # the step's observation and the loop goes on; anything else propagates.
            try:
                final = yield from self.step(step, stream)
                if final is not None:
                    self._check_final_answer(final.output)
            except AgentError as e:
                step.error = e
                final = None
            step.timing.end_time = now().start_time
            step.is_final_answer = final is not None
            self._record(step)
            yield step
            if final is not None:
                break
        if final is None:
            final = yield from self._answer_after_max_steps(max_steps, stream)
        yield FinalAnswerStep(final.output)

    def step(self, step: ActionStep, stream: bool) -> Generator[Any, None, _Final | None]:
        """One action: model reply -> parse -> execute. Subclasses implement it."""
        raise NotImplementedError

    def _plan(self, step_number: int, max_steps: int, stream: bool) -> Generator:
        planning = self.prompt_templates.planning
        started = now()
        if step_number == 1:
            messages = [ChatMessage(role="user", content=render(planning.initial_plan, task=self.task))]
        else:
            messages = self.memory.to_messages(self.keep_observations)
            pre = render(planning.update_plan_pre_messages, task=self.task)
            if pre:
                messages.insert(1, ChatMessage(role="system", content=pre))
            post = render(
                planning.update_plan_post_messages, task=self.task, remaining_steps=max_steps - step_number + 1
            )
            messages.append(ChatMessage(role="user", content=post))
        reply = yield from self.generate(messages, stream=stream)
        step = PlanningStep(
            plan=reply.content or "", timing=started, model_output_message=reply, token_usage=reply.token_usage
        )
        step.timing.end_time = now().start_time
        self._record(step)
        yield step

    def _answer_after_max_steps(self, max_steps: int, stream: bool) -> Generator[Any, None, _Final]:
        """Out of steps: ask the model for its best answer from the work so far."""
        templates = self.prompt_templates.final_answer
        messages = self.memory.to_messages(self.keep_observations)
        messages[0] = ChatMessage(role="system", content=render(templates.pre_messages, task=self.task))
        messages.append(ChatMessage(role="user", content=render(templates.post_messages, task=self.task)))
        step = ActionStep(step_number=max_steps + 1, timing=now())
        step.error = AgentMaxStepsError(f"Reached the maximum of {max_steps} steps.")
        reply = yield from self.generate(messages, stream=stream)
        step.model_output_message, step.token_usage = reply, reply.token_usage
        step.action_output, step.is_final_answer = reply.content, True
        step.timing.end_time = now().start_time
        self._record(step)
        yield step
        return _Final(reply.content)

    def _check_final_answer(self, answer: Any) -> None:
        for check in self.final_answer_checks:
            try:
                accepted = _call_flexibly(check, answer, self.memory, agent=self)
            except Exception as e:  # a check that raises rejects the answer with its reason
                raise AgentError(f"Final answer rejected by {_name(check)}: {e}") from None
            if not accepted:
                raise AgentError(f"Final answer rejected by {_name(check)}. Check your answer and try again.")

    def _record(self, step: ActionStep | PlanningStep) -> None:
        self.memory.steps.append(step)
        for callback in self.step_callbacks.get(type(step), []) + self.step_callbacks.get(object, []):
            _call_flexibly(callback, step, agent=self)

    def _check_interrupted(self) -> None:
        if self._interrupted.is_set():
            raise AgentInterrupted("The run was cancelled.")

    # -- the model ---------------------------------------------------------------

    def generate(self, messages: list[ChatMessage], stream: bool, **options: Any) -> Generator[Any, None, ChatMessage]:
        """Call the model; yields deltas when streaming; returns the whole reply.

        The call runs on a pool thread so that interrupt() ends the wait at once,
        whatever the back end (a late answer is discarded)."""
        if stream or self.stream_outputs:
            deltas: list[ChatMessageStreamDelta] = []
            received = 0
            chunks = self.model.generate_stream(messages, **options)
            try:
                for delta in chunks:
                    self._check_interrupted()
                    deltas.append(delta)
                    if stream:
                        yield delta
                    received += len(delta.content or "")
                    if received > self.max_streamed_chars:  # a model that never stops: keep what came
                        break
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()  # and hang up, so the server stops sending
            return join_deltas(deltas)
        future = _model_calls().submit(self.model.generate, messages, **options)
        while True:
            try:
                return future.result(timeout=0.05)
            except FuturesTimeout:
                self._check_interrupted()

    # -- hooks -------------------------------------------------------------------

    def system_prompt(self) -> str:
        return render(
            self.prompt_templates.system_prompt,
            tools=list(self.tools.values()),
            managed_agents=list(self.managed_agents.values()),
            instructions=self.instructions,
            **self.prompt_variables(),
        )

    def prompt_variables(self) -> dict:
        return {}

    def prepare_additional_args(self, additional_args: dict) -> None:
        pass

    def on_run_start(self) -> None:
        pass

    def observe(self, text: str) -> str:
        return truncate(text, self.max_observation_chars)

    def managed_agent_tools(self) -> dict[str, Tool]:
        return {name: ManagedAgentTool(agent) for name, agent in self.managed_agents.items()}


class CodeAgent(MultiStepAgent):
    """Actions are Python, run in the sandboxed executor; tools are functions there."""

    prompt_file = "code_agent"
    stop_sequences = ["Observation:", "Calling tools:"]

    def __init__(
        self,
        tools: list[Tool],
        model: Model,
        additional_authorized_imports: list[str] | None = None,
        executor: Any = None,
        executor_kwargs: dict | None = None,
        max_print_outputs_length: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(tools, model, **kwargs)
        from agent.executor import BASE_BUILTIN_MODULES, LocalPythonExecutor

        self.additional_authorized_imports = list(additional_authorized_imports or [])
        self.authorized_imports = sorted(set(BASE_BUILTIN_MODULES) | set(self.additional_authorized_imports))
        options = dict(executor_kwargs or {})
        if max_print_outputs_length:
            options["max_print_outputs_length"] = max_print_outputs_length
        self.executor = executor or LocalPythonExecutor(self.additional_authorized_imports, **options)
        self.executor.send_tools({**self.tools, **self.managed_agent_tools()})

    def prompt_variables(self) -> dict:
        return {"authorized_imports": ", ".join(self.authorized_imports)}

    def prepare_additional_args(self, additional_args: dict) -> None:
        self.executor.send_variables(additional_args)

    def on_run_start(self) -> None:
        # The worker's cold start overlaps the first model call.
        start = getattr(self.executor, "start", None)
        if start is not None:
            threading.Thread(target=start, daemon=True, name="agentls-executor-start").start()

    def interrupt(self) -> None:
        super().interrupt()
        stop = getattr(self.executor, "interrupt", None)
        if stop is not None:
            stop()

    def step(self, step: ActionStep, stream: bool):
        from agent.executor import InterpreterError

        messages = self.memory.to_messages(self.keep_observations)
        reply = yield from self.generate(messages, stream=stream, stop_sequences=self.stop_sequences)
        step.model_output_message, step.model_output, step.token_usage = reply, reply.content, reply.token_usage
        step.code_action = parse_code(reply.content)
        self._check_interrupted()
        try:
            out = self.executor(step.code_action)
        except InterpreterError as e:
            self._check_interrupted()  # a cancelled run's InterpreterError is not the model's
            raise AgentExecutionError(self.observe(str(e)), logs=e.logs) from None  # a tool's error may be huge
        parts = [out.logs.rstrip("\n")] if out.logs else []
        if out.output is not None and not out.is_final_answer:
            parts.append(f"Result: {out.output!r}")
        step.observations = self.observe("\n".join(parts) or "(the code printed nothing)")
        step.action_output = out.output
        return _Final(out.output) if out.is_final_answer else None

    def close(self) -> None:
        close = getattr(self.executor, "close", None)
        if close is not None:
            close()


class ToolCallingAgent(MultiStepAgent):
    """Actions are JSON tool calls, through the model's native tool calling; replies
    with the calls written as text (models without tool calling) are parsed too."""

    prompt_file = "tool_calling_agent"

    def __init__(self, tools: list[Tool], model: Model, **kwargs: Any):
        super().__init__(tools, model, **kwargs)
        self.callable_tools = {**self.tools, **self.managed_agent_tools()}

    def step(self, step: ActionStep, stream: bool):
        messages = self.memory.to_messages(self.keep_observations)
        reply = yield from self.generate(messages, stream=stream, tools_to_call_from=list(self.callable_tools.values()))
        step.model_output_message, step.model_output, step.token_usage = reply, reply.content, reply.token_usage
        calls = reply.tool_calls
        if not calls:
            calls = parse_tool_calls(reply.content)
            if not calls:
                example = '{"name": "final_answer", "arguments": {"answer": "..."}}'
                raise AgentParsingError(f"Your reply called no tool. Call a tool, e.g. {example}.")
            step.model_output_message = ChatMessage(role="assistant", content=reply.content)
        step.tool_calls = [ToolCall(c.function.name, c.function.arguments, c.id) for c in calls]
        outputs, final = [], None
        for call in step.tool_calls:
            self._check_interrupted()
            try:
                result = self.execute_tool_call(call)
            except AgentToolCallError as e:
                outputs.append(self.observe(f"Error: {e}"))  # a tool's error may be huge
                continue
            if call.name == "final_answer":
                final = _Final(result)
            outputs.append(self.observe(str(result)))
        step.tool_outputs = outputs if reply.tool_calls else None
        step.observations = "\n\n".join(
            f"{call.name}: {output}" if len(outputs) > 1 else output
            for call, output in zip(step.tool_calls, outputs, strict=False)
        )
        return final

    def execute_tool_call(self, call: ToolCall) -> Any:
        tool = self.callable_tools.get(call.name)
        if tool is None:
            raise AgentToolCallError(f"There is no tool named {call.name!r}. Tools: {', '.join(self.callable_tools)}")
        arguments = call.arguments
        if isinstance(arguments, str):
            raise AgentToolCallError(f"The arguments of {call.name} must be a JSON object; got: {arguments[:200]!r}")
        try:
            return tool(**arguments) if isinstance(arguments, dict) else tool(arguments)
        except ToolArgumentError as e:
            raise AgentToolCallError(str(e)) from None
        except AgentInterrupted:
            raise
        except Exception as e:  # a tool's failure is the model's observation
            raise AgentToolCallError(f"{call.name} failed: {type(e).__name__}: {exception_text(e)}") from None


class ManagedAgentTool(Tool):
    """A managed agent, callable by its manager like a tool."""

    def __init__(self, agent: MultiStepAgent):
        self.agent = agent
        self.name = agent.name
        self.description = agent.description
        self.inputs = {
            "task": {"type": "string", "description": "A full description of the task."},
            "additional_args": {"type": "object", "description": "Data the task needs.", "nullable": True},
        }
        self.output_type = "string"

    def forward(self, task: str, additional_args: dict | None = None) -> str:
        templates = self.agent.prompt_templates.managed_agent
        answer = self.agent.run(
            render(templates.task, name=self.name, task=task), additional_args=additional_args, return_full_result=False
        )
        return render(templates.report, name=self.name, final_answer=answer)


# -- helpers -------------------------------------------------------------------


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _model_calls() -> ThreadPoolExecutor:
    """Threads for model calls, kept between calls: starting a thread per call cost
    more than the rest of a step's overhead (bench/agent.py)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="agentls-model")
    return _pool


def _callback_table(callbacks) -> dict[type, list[Callable]]:
    """step_callbacks as {step type: [callbacks]}; a plain list applies to every step."""
    if not callbacks:
        return {}
    if isinstance(callbacks, dict):
        return {kind: fns if isinstance(fns, list) else [fns] for kind, fns in callbacks.items()}
    return {object: list(callbacks)}


def _call_flexibly(function: Callable, *args: Any, agent: MultiStepAgent) -> Any:
    """Call with `agent=` only if the function takes it (smolagents' callbacks may or may not)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return function(*args)
    if "agent" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return function(*args, agent=agent)
    return function(*args[: len(parameters)])


def _name(function: Callable) -> str:
    return getattr(function, "__name__", type(function).__name__)
