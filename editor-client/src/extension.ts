// agentls for VS Code: wires the small modules to VS Code. Starts the server, keeps its
// settings in step (workspace trust included), registers the commands and @agentls.

import * as vscode from "vscode";
import { chatAvailable, registerChat } from "./chat";
import { registerCommands, UI } from "./commands";
import { ProgressRouter } from "./progress";
import { KEY_VARIABLES, Redactor, isVariableName, redactingChannel, secretId } from "./secrets";
import { AgentServer } from "./server";
import { RESTART_SETTINGS, serverSettings } from "./settings";
import { type ServerState, statusView } from "./status";
import { editHost, PREVIEW_SCHEME, PreviewDocuments, notificationSink } from "./vscodeHost";

const STORED_KEYS = "agentls.apiKeyVariables"; // names only; the values are in SecretStorage

let server: AgentServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const redactor = new Redactor();
  const output = redactingChannel(vscode.window.createOutputChannel("agentls"), redactor);
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.command = UI.showLog;
  status.show();
  let serverState: ServerState = { kind: "starting" };
  const showStatus = () => {
    const working = router.working();
    const view = statusView(working && serverState.kind === "idle" ? { kind: "working", ...working } : serverState);
    status.text = view.text;
    status.tooltip = view.tooltip;
    status.backgroundColor = view.error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  };
  const router = new ProgressRouter(() => notificationSink(), showStatus);
  const previews = new PreviewDocuments();
  const host = editHost(() => server?.client, previews);
  const config = () => vscode.workspace.getConfiguration("agentls");

  const keys = async (): Promise<Record<string, string>> => {
    const found: Record<string, string> = {};
    for (const variable of context.globalState.get<string[]>(STORED_KEYS, [])) {
      const value = await context.secrets.get(secretId(variable));
      if (value) {
        redactor.add(value);
        found[variable] = value;
      }
    }
    return found;
  };

  server = new AgentServer({
    output,
    router,
    editHost: host,
    settings: () => serverSettings((key) => config().get(key), vscode.workspace.isTrusted),
    serverCommandSetting: () => config().get<string>("serverCommand")?.trim() || null,
    interpreter: () => pythonInterpreter(() => void server?.restart()),
    keys,
    stateChanged: (state) => {
      serverState = state;
      showStatus();
    },
  });

  const setApiKey = async () => {
    const picked = await vscode.window.showQuickPick([...KEY_VARIABLES, "Another variable…"], {
      title: "agentls: Set API Key",
      placeHolder: "The environment variable the provider reads",
    });
    const variable =
      picked === "Another variable…"
        ? await vscode.window.showInputBox({
            prompt: "Variable name, e.g. TOGETHER_API_KEY",
            validateInput: (name) => (isVariableName(name) ? null : "Use A-Z, 0-9 and _"),
          })
        : picked;
    if (!variable) {
      return;
    }
    const value = await vscode.window.showInputBox({
      title: `agentls: ${variable}`,
      prompt: "Paste the key (kept in VS Code's secret storage; leave empty to remove it)",
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) {
      return;
    }
    const stored = new Set(context.globalState.get<string[]>(STORED_KEYS, []));
    if (value.trim()) {
      redactor.add(value.trim());
      await context.secrets.store(secretId(variable), value.trim());
      stored.add(variable);
    } else {
      await context.secrets.delete(secretId(variable));
      stored.delete(variable);
    }
    await context.globalState.update(STORED_KEYS, [...stored]);
    output.appendLine(`${value.trim() ? "stored" : "removed"} the key for ${variable}; restarting the server`);
    await server?.restart();
  };

  context.subscriptions.push(
    output,
    status,
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews),
    ...registerCommands({ client: () => server?.client, router, editHost: host, output, setApiKey, restart: () => server!.restart() }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        void server?.restart();
      } else if (event.affectsConfiguration("agentls")) {
        server?.sendSettings();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => server?.sendSettings()),
    { dispose: () => void server?.stop() },
  );
  if (chatAvailable()) {
    context.subscriptions.push(registerChat(() => server?.client, router));
  }
  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
  watchingInterpreter = false;
}

let watchingInterpreter = false;

/** The Python extension's selected interpreter, when that extension is installed;
 * `changed` runs when the user selects another one (agentls.serverCommand unset). */
async function pythonInterpreter(changed: () => void): Promise<string | null> {
  const python = vscode.extensions.getExtension("ms-python.python");
  if (!python) {
    return null;
  }
  try {
    const api = python.isActive ? python.exports : await python.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!watchingInterpreter && api?.environments?.onDidChangeActiveEnvironmentPath) {
      watchingInterpreter = true;
      api.environments.onDidChangeActiveEnvironmentPath(() => {
        if (!vscode.workspace.getConfiguration("agentls").get<string>("serverCommand")?.trim()) {
          changed();
        }
      });
    }
    const environment = api?.environments?.getActiveEnvironmentPath?.(resource);
    if (environment) {
      const resolved = await api.environments.resolveEnvironment?.(environment);
      return resolved?.executable?.uri?.fsPath ?? environment.path ?? null;
    }
    return api?.settings?.getExecutionDetails?.(resource)?.execCommand?.[0] ?? null;
  } catch {
    return null; // no interpreter from the Python extension: agentls on PATH
  }
}
