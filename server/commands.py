"""Command ids and custom method names: the strings clients and the VS Code extension use."""

RUN_TASK = "agentls.runTask"
EDIT_SELECTION = "agentls.editSelection"
FIX_DIAGNOSTICS = "agentls.fixDiagnostics"
EXPLAIN = "agentls.explain"
CANCEL_ALL = "agentls.cancelAll"

ALL = (RUN_TASK, EDIT_SELECTION, FIX_DIAGNOSTICS, EXPLAIN, CANCEL_ALL)
