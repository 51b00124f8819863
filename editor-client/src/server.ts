// The agentls server process: started with the resolved command and the stored API keys
// in its environment, restarted with backoff when it exits, its state in the status bar.
// A fresh LanguageClient per start, so that a restart picks up a new interpreter or key.

import * as fs from "node:fs";
import * as vscode from "vscode";
import {
  ApplyWorkspaceEditRequest,
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { applyWorkspaceEdit, type EditHost } from "./applyEdit";
import { Backoff } from "./backoff";
import type { ProgressRouter } from "./progress";
import { resolveServerCommand } from "./serverCommand";
import { serverEnvironment } from "./secrets";
import { configurationAnswer, type ServerSettings } from "./settings";
import { type ServerState } from "./status";

export interface ServerDeps {
  output: vscode.OutputChannel;
  router: ProgressRouter;
  editHost: EditHost;
  settings: () => ServerSettings;
  serverCommandSetting: () => string | null;
  interpreter: () => Promise<string | null>;
  keys: () => Promise<Record<string, string>>;
  stateChanged: (state: ServerState) => void;
}

export class AgentServer {
  client: LanguageClient | undefined;
  private readonly backoff = new Backoff();
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private running = false;

  constructor(private readonly deps: ServerDeps) {}

  /** Start, stop and restart run one at a time, in the order asked: a restart asked while
   * a start is still resolving the interpreter must not leave two servers running. */
  private queue: Promise<void> = Promise.resolve();

  private serialized(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work, work);
    return this.queue;
  }

  start(): Promise<void> {
    return this.serialized(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialized(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.serialized(async () => {
      this.backoff.reset();
      await this.doStop();
      await this.doStart();
    });
  }

  private async doStart(): Promise<void> {
    this.stopping = false;
    this.deps.stateChanged({ kind: "starting" });
    const resolved = resolveServerCommand({
      configured: this.deps.serverCommandSetting(),
      interpreter: await this.deps.interpreter(),
      platform: process.platform,
      pathVariable: process.env.PATH ?? "",
      isFile: (file) => fs.existsSync(file) && fs.statSync(file).isFile(),
    });
    if (!resolved.ok) {
      this.failed(resolved.message);
      return;
    }
    const { command, args, source } = resolved.server;
    this.deps.output.appendLine(`starting ${command} ${args.join(" ")} (from ${source})`);
    // An Executable without `transport`: stdio, and no extra `--stdio` argument.
    const serverOptions: ServerOptions = {
      command,
      args,
      options: { env: serverEnvironment(process.env, await this.deps.keys()) },
    };
    const client = new LanguageClient("agentls", "agentls", serverOptions, this.clientOptions());
    client.onRequest(ApplyWorkspaceEditRequest.type, (params) => applyWorkspaceEdit(params, this.deps.editHost));
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      this.failed(`the server could not start (${command}): ${error instanceof Error ? error.message : error}`);
      return;
    }
    this.deps.router.attach(client); // after start: replaces the client's own progress handler
    this.running = true;
    this.backoff.started();
    this.deps.stateChanged({ kind: "idle" });
  }

  /** The settings changed: tell the server (workspace/didChangeConfiguration, section agentls). */
  sendSettings(): void {
    void this.client?.sendNotification(DidChangeConfigurationNotification.type, { settings: { agentls: this.deps.settings() } });
  }

  private async doStop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    clearTimeout(this.restartTimer);
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) {
      await client.stop();
    }
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: "file" }],
      initializationOptions: { agentls: this.deps.settings() },
      outputChannel: this.deps.output,
      middleware: {
        workspace: {
          // The server asks for the "agentls" section: the mapped settings, not VS Code's raw ones.
          configuration: (params, token, next) =>
            params.items.some((item) => item.section === "agentls")
              ? configurationAnswer(params.items, this.deps.settings())
              : next(params, token),
        },
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          this.exited();
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
  }

  private exited(): void {
    if (this.stopping || !this.running) {
      return; // stopped on purpose, or failed while starting (start() reports that)
    }
    this.running = false;
    this.client = undefined;
    const delay = this.backoff.crashed();
    if (delay === null) {
      this.failed(`the server stopped ${this.backoff.crashCount} times in a row; see the log, then run "agentls: Restart Server"`);
      return;
    }
    this.deps.output.appendLine(`the server exited; restarting in ${delay / 1000} s`);
    this.deps.stateChanged({ kind: "error", message: `the server exited; restarting in ${delay / 1000} s` });
    this.restartTimer = setTimeout(() => void this.start(), delay);
  }

  private failed(message: string): void {
    this.deps.output.appendLine(message);
    this.deps.stateChanged({ kind: "error", message });
    void vscode.window.showErrorMessage(`agentls: ${message}`, "Open Settings", "Show Log").then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", "agentls.serverCommand");
      } else if (choice === "Show Log") {
        this.deps.output.show();
      }
    });
  }
}
