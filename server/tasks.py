"""Running one agent task for an editor: from a command to an applied edit.

    outcome = await server.tasks.run(TaskRequest(...), request_id)

For each task: claim its document (one task per document; a second request gets a
clear busy error), report progress, get the model, run the CodeAgent on a thread
with a private overlay of the workspace (so concurrent tasks never see each other's
edits), verify the change (lint, and tests on the shadow copy when the workspace is
trusted), build a re-based WorkspaceEdit and ask the client to apply it. A
cancellation ($/cancelRequest, progress cancel, agentls.cancelAll) interrupts the
agent, its code, its tests and its model call, and nothing is applied.
"""

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from agent import CodeAgent
from agent.errors import AgentInterrupted
from agent.memory import ActionStep
from agent.models import ModelError
from agent.redaction import redact
from server.progress import TaskProgress
from server.verification import Verdict, verify
from server.workspace_edit import ClientEdits, EditConflict, build_edit
from tools.toolset import ToolContext, ToolSettings, workspace_tools
from tools.workspace import Workspace

log = logging.getLogger(__name__)

READ_ONLY_TOOLS = {"read_file", "list_files", "search", "find_definition", "find_references", "outline", "lint"}
STOP_GRACE_SECONDS = 5.0


class BusyError(Exception):
    """Another task is working on the same document."""


@dataclass
class TaskRequest:
    kind: str  # runTask, editSelection, fixDiagnostics, explain
    title: str  # for progress, e.g. "agentls: fix inventory/stock.py"
    prompt: str
    path: str | None = None  # the document the task is about (workspace-relative)
    edits: bool = True  # False: read-only tools, the answer is the result (explain)
    apply: bool = True  # False: return the edit for the client to apply (codeAction/resolve)
    instructions: str | None = None


@dataclass
class Outcome:
    applied: bool
    summary: str
    steps: int = 0
    edit: types.WorkspaceEdit | None = None
    verdict: Verdict = field(default_factory=Verdict)
    tokens: dict = field(default_factory=lambda: {"input": 0, "output": 0})
    cost: float | None = None

    def to_lsp(self, converter) -> dict:
        return {
            "applied": self.applied,
            "summary": self.summary,
            "steps": self.steps,
            "edit": converter.unstructure(self.edit) if self.edit else None,
            "verdict": self.verdict.as_dict(),
            "tokens": self.tokens,
            "cost": self.cost,
        }


class AgentTask:
    """One running task: what cancels it."""

    def __init__(self, task_id: int, request: TaskRequest, request_id: Any):
        self.id = task_id
        self.request = request
        self.request_id = request_id
        self.agent: CodeAgent | None = None
        self.context: ToolContext | None = None
        self.cancelled = False
        self.progress_token: str | None = None
        self.documents: dict = {}  # the editor's open documents when the user asked

    def cancel(self) -> None:
        self.cancelled = True
        if self.agent is not None:
            self.agent.interrupt()
        if self.context is not None:
            self.context.cancelled.set()


class TaskRunner:
    def __init__(self, server):
        self.server = server
        self.running: dict[int, AgentTask] = {}
        self.busy: dict[str, int] = {}  # document path -> task id
        self._ids = itertools.count(1)

    # -- cancellation ------------------------------------------------------------

    def cancel_request(self, request_id: Any) -> bool:
        found = [task for task in self.running.values() if task.request_id == request_id]
        for task in found:
            task.cancel()
        return bool(found)

    def cancel_progress(self, token: Any) -> None:
        for task in list(self.running.values()):
            if task.progress_token == token:
                task.cancel()

    def cancel_all(self) -> int:
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        return len(tasks)

    # -- running -----------------------------------------------------------------

    def claim(self, request: TaskRequest, request_id: Any) -> AgentTask:
        """Reserve the task's document (BusyError if taken); call before awaiting anything."""
        if request.path is not None and request.path in self.busy:
            other = self.busy[request.path]
            raise BusyError(
                f"agentls is already working on {request.path} (task {other}); "
                "wait for it or cancel it (agentls.cancelAll)"
            )
        task = AgentTask(next(self._ids), request, request_id)
        task.documents = self.server.open_documents()  # what the user saw when asking
        self.running[task.id] = task
        if request.path is not None:
            self.busy[request.path] = task.id
        return task

    def release(self, task: AgentTask) -> None:
        self.running.pop(task.id, None)
        if task.request.path is not None and self.busy.get(task.request.path) == task.id:
            del self.busy[task.request.path]

    async def run(self, task: AgentTask) -> Outcome:
        request = task.request
        progress = TaskProgress(self.server, request.title, token=task.progress_token)
        await progress.begin("starting")
        task.progress_token = progress.token
        outcome: Outcome | None = None
        try:
            outcome = await self._work(task, progress)
            return outcome
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            self.release(task)
            end = outcome.summary if outcome else "cancelled"
            progress.end(end.splitlines()[0][:200] if end else "done")
            if task.context is not None:
                task.context.close()
            if task.agent is not None:
                task.agent.close()

    async def _work(self, task: AgentTask, progress: TaskProgress) -> Outcome:
        settings = self.server.settings
        model = await self.server.models.get(settings)
        if task.cancelled:
            return self._outcome(task, False, "Cancelled; nothing was changed.")
        loop = asyncio.get_running_loop()
        task.context = self._context(task)
        tools = workspace_tools(task.context)
        if task.request.edits:  # MCP tools may change things: not for read-only tasks
            tools += await self.server.mcp.tools(settings, taken={tool.name for tool in tools} | {"final_answer"})
            if task.cancelled:
                return self._outcome(task, False, "Cancelled; nothing was changed.")
        task.agent = self._agent(task, tools, model, progress, loop)
        run = loop.run_in_executor(self.server.agent_pool, task.agent.run, task.request.prompt)
        try:
            answer = await asyncio.wait_for(asyncio.shield(run), timeout=settings.timeouts.task)
        except TimeoutError:
            task.cancel()
            await _finish(run)
            return self._outcome(task, False, f"Stopped: the task took longer than {settings.timeouts.task:g} s.")
        except asyncio.CancelledError:
            task.cancel()
            await _finish(run)
            raise
        except AgentInterrupted:
            return self._outcome(task, False, "Cancelled; nothing was changed.")
        except ModelError as e:
            return self._outcome(task, False, f"The model failed: {e}")
        summary = str(answer).strip() or "(the agent gave no summary)"
        if not task.request.edits:
            return self._outcome(task, False, summary)
        progress.report("checking the change")
        verdict = await loop.run_in_executor(self.server.agent_pool, verify, task.context, settings.verify)
        if task.cancelled:
            raise asyncio.CancelledError
        return await self._deliver(task, summary, verdict)

    def _context(self, task: AgentTask) -> ToolContext:
        session = self.server.session
        workspace = Workspace(session.root)
        for path, document in task.documents.items():
            workspace.open_buffer(path, document.text, document.version)
        settings = self.server.settings
        tool_settings = ToolSettings(
            python=settings.python,
            test_command=settings.test_command,
            test_timeout=settings.timeouts.tests,
            trusted=settings.trust_workspace,
        )
        return ToolContext(workspace, tool_settings, shadow=session.shadow)

    def _agent(self, task: AgentTask, tools: list, model, progress: TaskProgress, loop) -> CodeAgent:
        if not task.request.edits:
            tools = [t for t in tools if t.name in READ_ONLY_TOOLS]
        max_steps = self.server.settings.max_steps

        def report(step) -> None:
            if isinstance(step, ActionStep):
                message = describe_step(step)
                percentage = min(99, int(100 * step.step_number / max_steps))
                loop.call_soon_threadsafe(progress.report, message, percentage)
                loop.call_soon_threadsafe(self.server.log_detail, f"{task.request.title}: {message}")

        return CodeAgent(
            tools=tools,
            model=model,
            max_steps=max_steps,
            instructions=task.request.instructions,
            step_callbacks=[report],
            executor_kwargs={"timeout_seconds": self.server.settings.timeouts.code},
        )

    async def _deliver(self, task: AgentTask, summary: str, verdict: Verdict) -> Outcome:
        changes = task.context.workspace.changes()
        if not changes:
            return self._outcome(task, False, f"{summary}\n(No files were changed.)", verdict)
        settings = self.server.settings
        client = ClientEdits.from_capabilities(self.server.client_capabilities)
        try:
            built = build_edit(
                changes,
                self.server.session.root,
                self.server.open_documents(),
                self.server.workspace.position_codec,
                client,
                label=f"agentls: {task.request.title}",
                description=summary[:500],
                needs_confirmation=settings.confirm_edits,
            )
        except EditConflict as e:
            return self._outcome(task, False, f"Not applied: {e}. Run the task again on the new text.", verdict)
        notes = "".join(f"\n(Not done: {item}.)" for item in built.skipped)
        if built.edit is None:
            return self._outcome(task, False, summary + notes, verdict)
        if verdict.broke_tests:
            reason = "Not applied: with this change tests fail that passed before. The edit is in the result to review."
            return self._outcome(task, False, f"{reason}\n{summary}{notes}", verdict, built.edit)
        if not task.request.apply:
            return self._outcome(task, False, summary + notes, verdict, built.edit)
        can_confirm = client.change_annotations and client.document_changes
        if not self.server.can_apply_edits() or (settings.confirm_edits and not can_confirm):
            note = "\n(The edit is in the result: this client cannot apply it for review.)"
            return self._outcome(task, False, summary + notes + note, verdict, built.edit)
        if task.cancelled:
            raise asyncio.CancelledError
        applied, reason = await self.server.apply_edit(built.edit, f"agentls: {task.request.title}")
        if not applied:
            return self._outcome(
                task, False, f"The editor did not apply the edit: {reason}\n{summary}", verdict, built.edit
            )
        return self._outcome(task, True, summary + notes, verdict, built.edit)

    def _outcome(self, task: AgentTask, applied: bool, summary: str, verdict=None, edit=None) -> Outcome:
        # The summary is the model's words, which may quote a file holding a key: shown
        # to the user, so redacted (the edit is the user's own text, and is not).
        outcome = Outcome(applied=applied, summary=redact(summary), edit=edit, verdict=verdict or Verdict())
        agent = task.agent
        if agent is not None:
            usage = agent.token_usage()
            outcome.steps = len(agent.memory.action_steps())
            outcome.tokens = {"input": usage.input_tokens, "output": usage.output_tokens}
            estimate = getattr(agent.model, "estimate_cost", None)
            outcome.cost = estimate(usage) if estimate else None
        return outcome


def describe_step(step: ActionStep) -> str:
    """One line for the progress bar: what the agent did in this step."""
    thought = redact(step.model_output or "").strip().splitlines()
    first = thought[0] if thought and not thought[0].startswith("```") else ""
    if step.error is not None:
        error = (redact(str(step.error)).splitlines() or [""])[0]
        return f"step {step.step_number}: {first[:80] or 'retrying'} (error: {error[:80]})"
    return f"step {step.step_number}: {first[:120] or 'working'}"


async def _finish(run: asyncio.Future) -> None:
    """Wait (briefly) for an interrupted agent thread to stop."""
    try:
        await asyncio.wait_for(asyncio.shield(run), timeout=STOP_GRACE_SECONDS)
    except (Exception, asyncio.CancelledError) as e:  # the run ended, one way or another
        log.debug("interrupted agent ended with %s", type(e).__name__)
