// workspace/applyEdit, as agentls's server sends it: refused when a document changed
// since the agent read it; shown as a diff and applied only on the user's word when
// the server asks for confirmation (agentls.confirmEdits); applied otherwise.

import type { ApplyWorkspaceEditParams, ApplyWorkspaceEditResult, WorkspaceEdit } from "vscode-languageserver-protocol";
import { applyTextEdits, confirmed, fileEdits, needsConfirmation, staleDocuments } from "./edits";

export interface Preview {
  uri: string;
  before: string;
  after: string;
}

/** What applying an edit needs from the editor (VS Code, or a test's in-memory documents). */
export interface EditHost {
  version(uri: string): number | undefined;
  text(uri: string): Promise<string>;
  /** Show the change and ask; true to apply it. */
  review(previews: Preview[], label: string): Promise<boolean>;
  apply(edit: WorkspaceEdit): Promise<boolean>;
}

/** `review`: show the diff and ask first (by default when the server asks for confirmation). */
export async function applyWorkspaceEdit(
  params: ApplyWorkspaceEditParams,
  host: EditHost,
  review = needsConfirmation(params.edit),
): Promise<ApplyWorkspaceEditResult> {
  const files = fileEdits(params.edit);
  const stale = staleDocuments(files, (uri) => host.version(uri));
  if (stale.length) {
    return { applied: false, failureReason: `the document changed since agentls read it: ${stale.join(", ")}` };
  }
  if (review) {
    const previews = await Promise.all(
      files.map(async (file) => {
        const before = await host.text(file.uri);
        return { uri: file.uri, before, after: applyTextEdits(before, file.edits) };
      }),
    );
    if (!(await host.review(previews, params.label ?? "agentls"))) {
      return { applied: false, failureReason: "the user discarded the edit" };
    }
    const changed = staleDocuments(files, (uri) => host.version(uri));
    if (changed.length) {
      return { applied: false, failureReason: `the document changed during the review: ${changed.join(", ")}` };
    }
  }
  const applied = await host.apply(confirmed(params.edit));
  return applied ? { applied } : { applied, failureReason: "VS Code could not apply the edit" };
}
