// WorkspaceEdit arithmetic without VS Code: which files an edit touches, the text a
// file would have after it (for the diff preview), stale document versions.
// Positions are UTF-16 code units, as VS Code negotiates and as JavaScript strings count.

import type { TextEdit, WorkspaceEdit } from "vscode-languageserver-protocol";

export interface FileEdit {
  uri: string;
  version: number | null; // the document version the edit was made for (null: the file on disk)
  edits: TextEdit[];
}

export function fileEdits(edit: WorkspaceEdit): FileEdit[] {
  const files: FileEdit[] = [];
  for (const change of edit.documentChanges ?? []) {
    if ("textDocument" in change) {
      const edits = change.edits.map((e) => ({ range: e.range, newText: e.newText }));
      files.push({ uri: change.textDocument.uri, version: change.textDocument.version, edits });
    }
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
    files.push({ uri, version: null, edits });
  }
  return files;
}

/** `text` with `edits` applied (all relative to the original text, as LSP defines them). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const offset = (line: number, character: number): number => {
    if (line >= starts.length) {
      return text.length;
    }
    const lineEnd = line + 1 < starts.length ? starts[line + 1] : text.length;
    return Math.min(starts[line] + character, lineEnd);
  };
  const ordered = [...edits].sort(
    (a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character,
  );
  let result = text;
  for (const edit of ordered) {
    const start = offset(edit.range.start.line, edit.range.start.character);
    const end = offset(edit.range.end.line, edit.range.end.character);
    result = result.slice(0, start) + edit.newText + result.slice(end);
  }
  return result;
}

/** Documents open in the editor at another version than the edit was made for. */
export function staleDocuments(files: FileEdit[], versionOf: (uri: string) => number | undefined): string[] {
  return files
    .filter((file) => {
      const current = versionOf(file.uri);
      return file.version !== null && current !== undefined && current !== file.version;
    })
    .map((file) => file.uri);
}

/** Whether the server asked for the user's confirmation (agentls.confirmEdits). */
export function needsConfirmation(edit: WorkspaceEdit): boolean {
  return Object.values(edit.changeAnnotations ?? {}).some((annotation) => annotation.needsConfirmation === true);
}

/** The same edit, confirmed: so that VS Code does not ask a second time. */
export function confirmed(edit: WorkspaceEdit): WorkspaceEdit {
  if (!edit.changeAnnotations) {
    return edit;
  }
  const annotations = Object.fromEntries(
    Object.entries(edit.changeAnnotations).map(([id, annotation]) => [id, { ...annotation, needsConfirmation: false }]),
  );
  return { ...edit, changeAnnotations: annotations };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\n" || (char === "\r" && text[i + 1] !== "\n")) {
      starts.push(i + 1);
    }
  }
  return starts;
}
