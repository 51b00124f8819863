// The server's work-done progress ($/progress begin / report / end, tokens it creates
// with window/workDoneProgress/create), routed to whoever shows it: the command that
// started the task (a notification with Cancel, or the chat's stream), else a default
// (a notification for tasks started elsewhere, e.g. a code action). Cancel sends
// window/workDoneProgress/cancel, which stops the server's task.
//
// The server creates a task's token after it receives the command, so a command
// `expect`s the next token before it is sent; tokens go to commands in order.

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
  message: string;
  step: number | null;
  listener?: Disposable;
}

export class ProgressRouter {
  private readonly waiting: { sink: ProgressSink }[] = [];
  private readonly active = new Map<ProgressToken, Active>();
  private cancelToken: (token: ProgressToken) => void = () => undefined;

  constructor(
    private readonly fallback: () => ProgressSink,
    private readonly changed: (working: Working | null) => void = () => undefined,
  ) {}

  /** The next progress the server creates belongs to `sink`; call `done` when the command returns. */
  expect(sink: ProgressSink): { done(): void } {
    const entry = { sink };
    this.waiting.push(entry);
    return {
      done: () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) {
          this.waiting.splice(index, 1);
        }
      },
    };
  }

  /** Handle window/workDoneProgress/create and $/progress on `connection`. */
  attach(connection: ProgressConnection): void {
    this.cancelToken = (token) => connection.sendNotification("window/workDoneProgress/cancel", { token });
    connection.onRequest("window/workDoneProgress/create", (params: { token: ProgressToken }) => {
      this.create(params.token);
      const entry = this.active.get(params.token);
      if (entry) {
        entry.listener = connection.onProgress(WorkDoneProgress.type, params.token, (value) => this.progress(params.token, value));
      }
      return null;
    });
  }

  create(token: ProgressToken): void {
    const claimed = this.waiting.shift();
    this.active.set(token, { sink: claimed ? claimed.sink : this.fallback(), message: "", step: null });
  }

  progress(token: ProgressToken, value: Value): void {
    const entry = this.active.get(token);
    if (!entry) {
      return;
    }
    if (value.kind === "begin") {
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
    const entries = [...this.active.values()];
    if (entries.length === 0) {
      return null;
    }
    const latest = entries[entries.length - 1];
    return { tasks: entries.length, step: latest.step, message: latest.message };
  }
}
