// The palette and context-menu commands. Each asks what it needs (an instruction, the
// selection), runs the server's command with a progress notification (Cancel stops the
// task), and says what happened.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { applyWorkspaceEdit, type EditHost } from "./applyEdit";
import {
  editSelectionArgs,
  explainArgs,
  fixDiagnosticsArgs,
  instruction,
  type Outcome,
  outcomeMessage,
  type Range,
  runTaskArgs,
  SERVER,
  selectionOrLine,
} from "./args";
import type { ProgressRouter } from "./progress";
import { cancelAll, runServerCommand } from "./run";
import { notificationSink } from "./vscodeHost";

/** The extension's own command ids (the server's agentls.runTask etc. are the language client's). */
export const UI = {
  runTask: "agentls.ui.runTask",
  editSelection: "agentls.ui.editSelection",
  fixDiagnostics: "agentls.ui.fixDiagnostics",
  explain: "agentls.ui.explain",
  cancel: "agentls.ui.cancel",
  setApiKey: "agentls.ui.setApiKey",
  restartServer: "agentls.ui.restartServer",
  showLog: "agentls.ui.showLog",
  reviewEdit: "agentls.ui.reviewEdit",
} as const;

export interface CommandDeps {
  client: () => LanguageClient | undefined;
  router: ProgressRouter;
  editHost: EditHost;
  output: vscode.OutputChannel;
  setApiKey: () => Promise<void>;
  restart: () => Promise<void>;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const run = (command: string, args: object) => runWithNotification(deps, command, args);
  return [
    vscode.commands.registerCommand(UI.runTask, async () => {
      const task = instruction(
        await vscode.window.showInputBox({
          title: "agentls: Run Task",
          prompt: "What should agentls do in this workspace?",
          placeHolder: "Fix the failing test",
          ignoreFocusOut: true,
        }),
      );
      if (task) {
        await run(SERVER.runTask, runTaskArgs(task, activeFile()?.document.uri.toString()));
      }
    }),
    vscode.commands.registerCommand(UI.editSelection, async () => {
      const editor = activeFile();
      if (!editor) {
        return needFile();
      }
      const range = selected(editor);
      const name = `${vscode.workspace.asRelativePath(editor.document.uri)}:${range.start.line + 1}-${range.end.line + 1}`;
      const typed = instruction(
        await vscode.window.showInputBox({
          title: `agentls: Edit ${name}`,
          prompt: "How should the selection change?",
          placeHolder: "Use title() instead of upper()",
          ignoreFocusOut: true,
        }),
      );
      if (typed) {
        await run(SERVER.editSelection, editSelectionArgs(editor.document.uri.toString(), range, typed));
      }
    }),
    vscode.commands.registerCommand(UI.fixDiagnostics, async () => {
      const editor = activeFile();
      if (!editor) {
        return needFile();
      }
      const range = editor.selection.isEmpty ? null : selected(editor);
      await run(SERVER.fixDiagnostics, fixDiagnosticsArgs(editor.document.uri.toString(), range, problemsIn(editor)));
    }),
    vscode.commands.registerCommand(UI.explain, async () => {
      const editor = activeFile();
      if (!editor) {
        return needFile();
      }
      await run(SERVER.explain, explainArgs(editor.document.uri.toString(), selected(editor)));
    }),
    vscode.commands.registerCommand(UI.cancel, async () => {
      const client = deps.client();
      if (!client) {
        return notRunning();
      }
      const count = await cancelAll(client);
      void vscode.window.showInformationMessage(count ? `agentls: cancelled ${count} task(s)` : "agentls: no task is running");
    }),
    vscode.commands.registerCommand(UI.reviewEdit, async (edit, label?: string) => {
      const result = await applyWorkspaceEdit({ edit, label: label ?? "agentls" }, deps.editHost, true);
      if (!result.applied) {
        void vscode.window.showWarningMessage(`agentls: not applied (${result.failureReason})`);
      }
    }),
    vscode.commands.registerCommand(UI.setApiKey, deps.setApiKey),
    vscode.commands.registerCommand(UI.restartServer, deps.restart),
    vscode.commands.registerCommand(UI.showLog, () => deps.output.show()),
  ];
}

async function runWithNotification(deps: CommandDeps, command: string, args: object): Promise<void> {
  const client = deps.client();
  if (!client) {
    return notRunning();
  }
  const cancellation = new vscode.CancellationTokenSource();
  try {
    const sink = notificationSink(() => cancellation.cancel());
    const outcome = await runServerCommand(client, deps.router, command, args, sink, cancellation.token);
    deps.output.appendLine(`${command}: ${outcome.summary}`);
    await show(command, outcome);
  } catch (error) {
    void vscode.window.showErrorMessage(`agentls: ${error instanceof Error ? error.message : error}`);
  } finally {
    cancellation.dispose();
  }
}

async function show(command: string, outcome: Outcome): Promise<void> {
  if (command === SERVER.explain && !outcome.summary.startsWith("Cancelled")) {
    const text = outcome.explanation ?? outcome.summary;
    const document = await vscode.workspace.openTextDocument({ language: "markdown", content: text });
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return;
  }
  const message = outcomeMessage(outcome);
  if (outcome.applied || !outcome.edit) {
    void vscode.window.showInformationMessage(message);
    return;
  }
  // Not applied but proposed (e.g. it breaks tests): the user may still review it.
  const choice = await vscode.window.showWarningMessage(message, "Review Edit");
  if (choice === "Review Edit") {
    await vscode.commands.executeCommand(UI.reviewEdit, outcome.edit, "agentls");
  }
}

function activeFile(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.uri.scheme === "file" ? editor : undefined;
}

/** The errors and warnings VS Code shows for the editor's document. */
export function problemsIn(editor: vscode.TextEditor): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
}

export function selected(editor: vscode.TextEditor): Range {
  const line = editor.document.lineAt(editor.selection.active.line);
  return selectionOrLine(editor.selection, line.text.length);
}

function needFile(): void {
  void vscode.window.showWarningMessage("agentls: open a file of the workspace first");
}

function notRunning(): void {
  void vscode.window.showErrorMessage('agentls: the server is not running; see "agentls: Show Log"', "Show Log").then((choice) => {
    if (choice) {
      void vscode.commands.executeCommand(UI.showLog);
    }
  });
}
