// @agentls in VS Code's chat: /task (the default), /edit (the selection), /fix, /explain.
// The agent's steps stream from $/progress; the edit comes back unapplied and is offered
// as a button that shows the diff and applies it on the user's word.

import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import {
  editSelectionArgs,
  explainArgs,
  fixDiagnosticsArgs,
  type Outcome,
  outcomeMessage,
  runTaskArgs,
  SERVER,
} from "./args";
import { problemsIn, selected, UI } from "./commands";
import { fileEdits } from "./edits";
import type { ProgressRouter, ProgressSink } from "./progress";
import { runServerCommand } from "./run";

export const PARTICIPANT = "agentls.chat";

/** Whether this VS Code has the chat API (forks and old versions may not: the commands remain). */
export function chatAvailable(): boolean {
  return typeof vscode.chat?.createChatParticipant === "function";
}

export function registerChat(client: () => LanguageClient | undefined, router: ProgressRouter): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT, async (request, _context, stream, token) => {
    const running = client();
    if (!running) {
      stream.markdown('The agentls server is not running; see "agentls: Show Log".');
      return;
    }
    const chosen = commandFor(request.command, request.prompt);
    if ("problem" in chosen) {
      stream.markdown(chosen.problem);
      return;
    }
    const sink: ProgressSink = {
      begin(title, message, cancel) {
        token.onCancellationRequested(cancel);
        stream.progress(message ? `${title}: ${message}` : title);
      },
      report(message) {
        stream.progress(message);
      },
      end() {},
    };
    try {
      const outcome = await runServerCommand(running, router, chosen.command, chosen.args, sink, token);
      answer(stream, chosen.command, outcome);
    } catch (error) {
      stream.markdown(`agentls: ${error instanceof Error ? error.message : error}`);
    }
  });
  participant.iconPath = new vscode.ThemeIcon("hubot");
  return participant;
}

function commandFor(slash: string | undefined, prompt: string): { command: string; args: object } | { problem: string } {
  const editor = vscode.window.activeTextEditor;
  const file = editor?.document.uri.scheme === "file" ? editor : undefined;
  const text = prompt.trim();
  if (slash === "edit" || slash === "explain" || slash === "fix") {
    if (!file) {
      return { problem: `/${slash} works on the active editor: open a file of the workspace first.` };
    }
    const uri = file.document.uri.toString();
    if (slash === "explain") {
      return { command: SERVER.explain, args: explainArgs(uri, selected(file)) };
    }
    if (slash === "fix") {
      const range = file.selection.isEmpty ? null : selected(file);
      return { command: SERVER.fixDiagnostics, args: fixDiagnosticsArgs(uri, range, problemsIn(file), false) };
    }
    if (!text) {
      return { problem: "Say how the selection should change, e.g. `/edit use title() instead of upper()`." };
    }
    return { command: SERVER.editSelection, args: editSelectionArgs(uri, selected(file), text, false) };
  }
  if (!text) {
    return { problem: "Say what agentls should do, e.g. `@agentls fix the failing test`." };
  }
  return { command: SERVER.runTask, args: runTaskArgs(text, file?.document.uri.toString(), false) };
}

function answer(stream: vscode.ChatResponseStream, command: string, outcome: Outcome): void {
  if (command === SERVER.explain) {
    stream.markdown(outcome.explanation ?? outcome.summary);
    return;
  }
  stream.markdown(`${outcome.summary}\n\n`);
  stream.markdown(`_${outcomeMessage(outcome)}_\n\n`);
  if (outcome.edit) {
    const files = fileEdits(outcome.edit).map((f) => vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri)));
    stream.markdown(`Changes ${files.map((f) => `\`${f}\``).join(", ")}.\n\n`);
    stream.button({ command: UI.reviewEdit, title: "Review and Apply", arguments: [outcome.edit, "agentls"] });
  }
}
