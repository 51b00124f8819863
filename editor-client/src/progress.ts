// The server's work-done progress ($/progress begin / report / end), routed to whoever
// shows it: the command that started the task (a notification with Cancel, or the
// chat's stream), else a default (a notification for tasks started elsewhere, e.g. a
// code action, whose tokens the server creates with window/workDoneProgress/create).
// Cancel sends window/workDoneProgress/cancel, which stops the server's task.
//
// A command sends a token of its own (`workDoneToken`, from `claim`), and the server
// reports on it: several commands at once each get their own progress.

import {
  type ProgressToken,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from "vscode-languageserver-protocol";
import { stepOf } from "./status";

export interface ProgressSink {
  begin(title: string, message: string | undefined, cancel: () => void): void;
  report(message: string, percentage: number | undefined): void;
  end(message: string | undefined): void;
}

export interface Working {
  tasks: number;
  step: number | null;
  message: string;
}

type Value = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

interface Disposable {
  dispose(): void;
}

/** What both vscode-languageclient's LanguageClient and a vscode-jsonrpc connection offer. */
export interface ProgressConnection {
  onRequest(method: string, handler: (params: any) => unknown): Disposable;
  onProgress(type: typeof WorkDoneProgress.type, token: ProgressToken, handler: (value: Value) => void): Disposable;
  sendNotification(method: string, params: unknown): unknown;
}

interface Active {
  sink: ProgressSink;
  begun: boolean;
  message: string;
  step: number | null;
  listener?: Disposable;
}

export class ProgressRouter {
  private readonly active = new Map<ProgressToken, Active>();
  private connection: ProgressConnection | undefined;
  private cancelToken: (token: ProgressToken) => void = () => undefined;
  private claimed = 0;

  constructor(
    private readonly fallback: () => ProgressSink,
    private readonly changed: (working: Working | null) => void = () => undefined,
  ) {}

  /** A token for a command to send as its `workDoneToken`: its progress goes to `sink`.
   * Call `done` when the command returns (a task that never reported lets it go). */
  claim(sink: ProgressSink): { token: ProgressToken; done(): void } {
    const token = `agentls-vscode-${++this.claimed}`;
    this.listen(token, sink);
    return {
      token,
      done: () => {
        const entry = this.active.get(token);
        if (entry) {
          this.active.delete(token);
          entry.listener?.dispose();
          if (entry.begun) {
            entry.sink.end(undefined); // the server stopped without an end: close what was shown
          }
          this.changed(this.working());
        }
      },
    };
  }

  /** Handle window/workDoneProgress/create and $/progress on `connection`. */
  attach(connection: ProgressConnection): void {
    this.connection = connection;
    this.cancelToken = (token) => connection.sendNotification("window/workDoneProgress/cancel", { token });
    connection.onRequest("window/workDoneProgress/create", (params: { token: ProgressToken }) => {
      this.listen(params.token, this.fallback());
      return null;
    });
  }

  private listen(token: ProgressToken, sink: ProgressSink): void {
    const entry: Active = { sink, begun: false, message: "", step: null };
    entry.listener = this.connection?.onProgress(WorkDoneProgress.type, token, (value) => this.progress(token, value));
    this.active.set(token, entry);
  }

  progress(token: ProgressToken, value: Value): void {
    const entry = this.active.get(token);
    if (!entry) {
      return;
    }
    if (value.kind === "begin") {
      entry.begun = true;
      entry.message = value.message ?? value.title;
      entry.sink.begin(value.title, value.message, () => this.cancelToken(token));
    } else if (value.kind === "report") {
      entry.message = value.message ?? entry.message;
      entry.step = stepOf(value.message) ?? entry.step;
      entry.sink.report(entry.message, value.percentage);
    } else {
      this.active.delete(token);
      entry.listener?.dispose();
      entry.sink.end(value.message);
    }
    this.changed(this.working());
  }

  working(): Working | null {
    const entries = [...this.active.values()].filter((entry) => entry.begun);
    if (entries.length === 0) {
      return null;
    }
    const latest = entries[entries.length - 1];
    return { tasks: entries.length, step: latest.step, message: latest.message };
  }
}
