// The VS Code side of edits and progress: the diff preview before a confirmed edit,
// applying an edit, and a progress notification with a Cancel button.

import * as vscode from "vscode";
import type { WorkspaceEdit } from "vscode-languageserver-protocol";
import type { LanguageClient } from "vscode-languageclient/node";
import type { EditHost, Preview } from "./applyEdit";
import type { ProgressSink } from "./progress";

export const PREVIEW_SCHEME = "agentls-preview";

/** Serves the proposed texts shown on the right of the diff. */
export class PreviewDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }

  /** Forget the texts of the previous review. */
  clear(): void {
    this.texts.clear();
  }

  add(fileUri: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: fileUri.path, query: String(Date.now()) });
    this.texts.set(uri.toString(), text);
    return uri;
  }
}

export function editHost(client: () => LanguageClient | undefined, previews: PreviewDocuments): EditHost {
  const open = (uri: string) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  return {
    version: (uri) => open(uri)?.version,
    async text(uri) {
      const document = open(uri);
      if (document) {
        return document.getText();
      }
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(uri)));
      } catch {
        return ""; // a file the edit creates
      }
    },
    async review(files: Preview[], label: string) {
      previews.clear();
      for (const file of files) {
        const uri = vscode.Uri.parse(file.uri);
        const name = vscode.workspace.asRelativePath(uri);
        await vscode.commands.executeCommand("vscode.diff", uri, previews.add(uri, file.after), `${name} ↔ ${label}`);
      }
      const names = files.map((f) => vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri))).join(", ");
      const choice = await vscode.window.showInformationMessage(`${label}: apply the change to ${names}?`, "Apply", "Discard");
      return choice === "Apply";
    },
    async apply(edit: WorkspaceEdit) {
      const converted = client()?.protocol2CodeConverter.asWorkspaceEdit(edit);
      return converted ? vscode.workspace.applyEdit(await converted) : false;
    },
  };
}

/** A notification that follows a task's steps; its Cancel button stops the task. */
export function notificationSink(onCancel: () => void = () => undefined): ProgressSink {
  let update: ((message: string) => void) | undefined;
  let finish: (() => void) | undefined;
  let ended = false;
  return {
    begin(title, message, cancel) {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `agentls: ${title}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => {
            cancel();
            onCancel();
          });
          update = (text) => progress.report({ message: text });
          if (message) {
            update(message);
          }
          return ended ? Promise.resolve() : new Promise<void>((resolve) => (finish = resolve));
        },
      );
    },
    report(message) {
      update?.(message);
    },
    end() {
      ended = true;
      finish?.();
    },
  };
}
