// agentls for VS Code: wires the small modules to VS Code. Starts the server, keeps its
// settings in step (workspace trust included), registers the commands and @agentls.

import * as vscode from "vscode";
import { ApiKeys } from "./apiKeys";
import { chatAvailable, registerChat } from "./chat";
import { registerCommands, UI } from "./commands";
import { ProgressRouter } from "./progress";
import { PythonInterpreter } from "./python";
import { Redactor, redactingChannel } from "./secrets";
import { AgentServer } from "./server";
import { RESTART_SETTINGS, serverSettings } from "./settings";
import { type ServerState, shownState, statusView } from "./status";
import { editHost, notificationSink, PREVIEW_SCHEME, PreviewDocuments } from "./vscodeHost";

let server: AgentServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const redactor = new Redactor();
  const output = redactingChannel(vscode.window.createOutputChannel("agentls"), redactor);
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.command = UI.showLog;
  status.show();
  let serverState: ServerState = { kind: "starting" };
  const router = new ProgressRouter(
    () => notificationSink(),
    () => showStatus(),
  );
  const showStatus = () => {
    const view = statusView(shownState(serverState, router.working()));
    status.text = view.text;
    status.tooltip = view.tooltip;
    status.backgroundColor = view.error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  };
  const previews = new PreviewDocuments();
  const host = editHost(() => server?.client, previews);
  const config = () => vscode.workspace.getConfiguration("agentls");
  const keys = new ApiKeys(context, redactor);
  const python = new PythonInterpreter(() => {
    if (!config().get<string>("serverCommand")?.trim()) {
      void server?.restart();
    }
  });

  server = new AgentServer({
    output,
    router,
    editHost: host,
    settings: () => serverSettings((key) => config().get(key), vscode.workspace.isTrusted),
    serverCommandSetting: () => config().get<string>("serverCommand")?.trim() || null,
    interpreter: () => python.selected(),
    keys: () => keys.environment(),
    stateChanged: (state) => {
      serverState = state;
      showStatus();
    },
  });

  const setApiKey = async () => {
    const variable = await keys.ask();
    if (variable) {
      output.appendLine(`the key for ${variable} changed; restarting the server`);
      await server?.restart();
    }
  };

  context.subscriptions.push(
    output,
    status,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews),
    ...registerCommands({
      client: () => server?.client,
      router,
      editHost: host,
      output,
      setApiKey,
      restart: async () => server?.restart(),
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void server?.restart();
      } else if (event.affectsConfiguration("agentls")) {
        server?.sendSettings();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => server?.sendSettings()),
  );
  if (chatAvailable()) {
    context.subscriptions.push(registerChat(() => server?.client, router));
  }
  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
