// Running one of the server's agent commands: workspace/executeCommand with a
// cancellation token ($/cancelRequest), its progress (on its own workDoneToken) routed to `sink`.

import type { CancellationToken } from "vscode-languageserver-protocol";
import { type Outcome, SERVER } from "./args";
import type { ProgressRouter, ProgressSink } from "./progress";

/** What both vscode-languageclient's LanguageClient and a vscode-jsonrpc connection offer. */
export interface RequestConnection {
  sendRequest<R>(method: string, params: unknown, token?: CancellationToken): Promise<R>;
  sendRequest<R>(method: string, params: unknown): Promise<R>;
}

export const CANCELLED: Outcome = { applied: false, summary: "Cancelled; nothing was changed.", steps: 0, edit: null };
const REQUEST_CANCELLED = -32800;

export class CommandError extends Error {}

export async function runServerCommand(
  connection: RequestConnection,
  router: ProgressRouter,
  command: string,
  args: object,
  sink: ProgressSink,
  token?: CancellationToken,
): Promise<Outcome> {
  const progress = router.claim(sink);
  const params = { command, arguments: [args], workDoneToken: progress.token };
  try {
    // No token: no third argument at all (an `undefined` one would turn params into an array).
    return await (token
      ? connection.sendRequest<Outcome>("workspace/executeCommand", params, token)
      : connection.sendRequest<Outcome>("workspace/executeCommand", params));
  } catch (error) {
    if ((error as { code?: number }).code === REQUEST_CANCELLED || token?.isCancellationRequested) {
      return CANCELLED;
    }
    throw new CommandError(error instanceof Error ? error.message : String(error));
  } finally {
    progress.done();
  }
}

/** agentls.cancelAll: the number of tasks stopped. */
export async function cancelAll(connection: RequestConnection): Promise<number> {
  const result = await connection.sendRequest<{ cancelled: number }>("workspace/executeCommand", {
    command: SERVER.cancelAll,
    arguments: [{}],
  });
  return result.cancelled;
}
