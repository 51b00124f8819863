"""Code actions where the cursor is: "Fix with agentls" on diagnostics (quickfix) and
"Improve selection with agentls" (refactor.rewrite), tagged LLM-generated when the
client knows the tag.

Listing is instant: the agent runs in codeAction/resolve (the edit comes back in
the action, for the client to apply), or, for clients that cannot resolve edits,
in the command the action carries.
"""

from lsprotocol import types

from server import commands
from server.launch import RangeArg, document_path, document_text, prompt, selection
from server.protocol import invalid_params, request_failed
from server.tasks import BusyError, TaskRequest

IMPROVE = "Improve this code: make it clearer and simpler and fix obvious bugs, keeping its behaviour."
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]


def setup(server) -> None:
    options = types.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=True)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_actions(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
        if ls.session is None or ls.session.relative_path(params.text_document.uri) is None:
            return []
        uri = params.text_document.uri
        span = {
            "start": {"line": params.range.start.line, "character": params.range.start.character},
            "end": {"line": params.range.end.line, "character": params.range.end.character},
        }
        wanted = set(params.context.only or KINDS)
        actions = []
        if params.context.diagnostics and _wants(wanted, types.CodeActionKind.QuickFix):
            problems = [_problem(d) for d in params.context.diagnostics[:30]]
            arguments = {"uri": uri, "range": span, "diagnostics": problems}
            fix = _action(ls, "Fix with agentls", types.CodeActionKind.QuickFix, commands.FIX_DIAGNOSTICS, arguments)
            fix.diagnostics = list(params.context.diagnostics)
            actions.append(fix)
        if params.range.start != params.range.end and _wants(wanted, types.CodeActionKind.RefactorRewrite):
            arguments = {"uri": uri, "range": span, "instruction": IMPROVE}
            kind = types.CodeActionKind.RefactorRewrite
            actions.append(_action(ls, "Improve selection with agentls", kind, commands.EDIT_SELECTION, arguments))
        return actions

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        command, arguments = data.get("command"), data.get("arguments")
        if command not in (commands.FIX_DIAGNOSTICS, commands.EDIT_SELECTION) or not isinstance(arguments, dict):
            raise invalid_params("this code action was not made by agentls")
        request = _task(ls, command, arguments)
        try:
            task = ls.tasks.claim(request, ls.protocol.msg_id)
        except BusyError as e:
            raise request_failed(str(e)) from None
        outcome = await ls.tasks.run(task)
        if outcome.edit is None:
            raise request_failed(outcome.summary)
        action.edit = outcome.edit
        return action


def _problem(diagnostic: types.Diagnostic) -> str:
    code = f"{diagnostic.code} " if diagnostic.code is not None else ""
    source = f" ({diagnostic.source})" if diagnostic.source else ""
    return f"line {diagnostic.range.start.line + 1}: {code}{diagnostic.message}{source}"


def _wants(wanted: set, kind: types.CodeActionKind) -> bool:
    return any(kind == w or kind.value.startswith(f"{getattr(w, 'value', w)}.") for w in wanted)


def _action(ls, title: str, kind: types.CodeActionKind, command: str, arguments: dict) -> types.CodeAction:
    action = types.CodeAction(title=title, kind=kind)
    capabilities = ls.client_capabilities.text_document
    code_action = capabilities.code_action if capabilities else None
    tags = code_action.tag_support.value_set if code_action and code_action.tag_support else []
    if types.CodeActionTag.LlmGenerated in tags:
        action.tags = [types.CodeActionTag.LlmGenerated]
    resolvable = code_action and code_action.resolve_support and "edit" in code_action.resolve_support.properties
    if resolvable:
        action.data = {"command": command, "arguments": arguments}
    else:
        action.command = types.Command(title=title, command=command, arguments=[arguments])
    return action


def _task(ls, command: str, arguments: dict) -> TaskRequest:
    try:
        uri = arguments["uri"]
        selected = RangeArg.model_validate(arguments["range"])
    except (KeyError, ValueError) as e:
        raise invalid_params(f"bad code action data: {e}") from None
    if not isinstance(uri, str):
        raise invalid_params("bad code action data: uri must be a string")
    path = document_path(ls, uri)
    if command == commands.EDIT_SELECTION:
        chosen, first, last = selection(ls, document_text(ls, uri, path), selected)
        instruction = str(arguments.get("instruction") or IMPROVE)
        body = prompt(
            "edit_selection", path=path, first_line=first, last_line=last, selection=chosen, instruction=instruction
        )
        return TaskRequest(kind="editSelection", title=f"improve {path}:{first}", prompt=body, path=path, apply=False)
    problems = "\n".join(f"- {p}" for p in arguments.get("diagnostics") or []) or "(see lint)"
    body = prompt("fix_diagnostics", path=path, diagnostics=problems)
    first = selected.start.line + 1
    return TaskRequest(kind="fixDiagnostics", title=f"fix {path}:{first}", prompt=body, path=path, apply=False)
