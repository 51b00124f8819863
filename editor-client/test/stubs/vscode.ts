// A small stand-in for the `vscode` module (VS Code cannot be downloaded here): just
// what the extension touches, recording what a user would see. Tests drive it through
// `stub`: settings, trust, the answers to input boxes and messages.

import { pathToFileURL } from "node:url";

type Listener<T> = (value: T) => unknown;

export const stub = {
  settings: {} as Record<string, unknown>,
  trusted: true,
  commands: new Map<string, (...args: any[]) => unknown>(),
  executed: [] as { command: string; args: unknown[] }[],
  messages: [] as { level: string; text: string; actions: string[] }[],
  answers: [] as (string | undefined)[], // input boxes, quick picks and message buttons, in order
  outputs: [] as string[],
  configListeners: [] as Listener<{ affectsConfiguration(key: string): boolean }>[],
  trustListeners: [] as Listener<void>[],
  progress: [] as { title: string; reports: string[]; cancel(): void; done: boolean }[],
  chatParticipants: [] as { id: string; handler: (...args: any[]) => unknown }[],
  secrets: new Map<string, string>(),
  state: new Map<string, unknown>(),
  activeTextEditor: undefined as unknown,
  diagnostics: [] as unknown[],
  extensions: {} as Record<string, unknown>,
  workspaceFolders: undefined as unknown[] | undefined,
  documents: [] as unknown[],
  reset(): void {
    this.settings = {};
    this.trusted = true;
    this.commands.clear();
    this.executed = [];
    this.messages = [];
    this.answers = [];
    this.outputs = [];
    this.configListeners = [];
    this.trustListeners = [];
    this.progress = [];
    this.chatParticipants = [];
    this.secrets.clear();
    this.state.clear();
    this.activeTextEditor = undefined;
    this.diagnostics = [];
    this.extensions = {};
    this.workspaceFolders = undefined;
    this.documents = [];
  },
  /** Everything the user could read: messages, status bar, output channel. */
  visibleText(): string {
    return [...this.messages.map((m) => m.text), ...this.outputs, statusItem.text, String(statusItem.tooltip)].join("\n");
  },
  changeSettings(values: Record<string, unknown>): void {
    Object.assign(this.settings, values);
    const keys = Object.keys(values).map((k) => `agentls.${k}`);
    for (const listener of this.configListeners) {
      listener({ affectsConfiguration: (key: string) => keys.some((k) => k === key || k.startsWith(`${key}.`)) });
    }
  },
};

const disposable = { dispose() {} };
const answer = () => Promise.resolve(stub.answers.shift());

function message(level: string) {
  return (text: string, ...actions: unknown[]) => {
    stub.messages.push({ level, text, actions: actions.filter((a): a is string => typeof a === "string") });
    return answer();
  };
}

export const statusItem = { text: "", tooltip: "" as unknown, command: "", backgroundColor: undefined as unknown, show() {}, dispose() {} };

export const commands = {
  registerCommand(id: string, handler: (...args: any[]) => unknown) {
    if (stub.commands.has(id)) {
      throw new Error(`command '${id}' already exists`);
    }
    stub.commands.set(id, handler);
    return { dispose: () => stub.commands.delete(id) };
  },
  executeCommand(command: string, ...args: unknown[]) {
    stub.executed.push({ command, args });
    return Promise.resolve(stub.commands.get(command)?.(...args));
  },
};

export const window = {
  createOutputChannel(name: string) {
    return {
      name,
      append: (v: string) => stub.outputs.push(v),
      appendLine: (v: string) => stub.outputs.push(v),
      replace: (v: string) => stub.outputs.splice(0, stub.outputs.length, v),
      clear: () => stub.outputs.splice(0),
      show() {},
      hide() {},
      dispose() {},
    };
  },
  createStatusBarItem: () => statusItem,
  showInformationMessage: message("info"),
  showWarningMessage: message("warning"),
  showErrorMessage: message("error"),
  showInputBox: (_options?: unknown) => answer(),
  showQuickPick: (_items: unknown, _options?: unknown) => answer(),
  showTextDocument: () => Promise.resolve(),
  withProgress(options: { title: string }, task: (progress: unknown, token: unknown) => Promise<unknown>) {
    const cancelListeners: (() => void)[] = [];
    const entry = {
      title: options.title,
      reports: [] as string[],
      done: false,
      cancel: () => cancelListeners.forEach((l) => l()),
    };
    stub.progress.push(entry);
    const progress = { report: (value: { message?: string }) => entry.reports.push(value.message ?? "") };
    const token = { onCancellationRequested: (l: () => void) => (cancelListeners.push(l), disposable) };
    return task(progress, token).then((result) => {
      entry.done = true;
      return result;
    });
  },
  get activeTextEditor() {
    return stub.activeTextEditor;
  },
};

export const workspace = {
  getConfiguration: (_section: string) => ({ get: (key: string) => stub.settings[key] }),
  get isTrusted() {
    return stub.trusted;
  },
  onDidChangeConfiguration: (l: Listener<{ affectsConfiguration(key: string): boolean }>) => (stub.configListeners.push(l), disposable),
  onDidGrantWorkspaceTrust: (l: Listener<void>) => (stub.trustListeners.push(l), disposable),
  registerTextDocumentContentProvider: () => disposable,
  get textDocuments() {
    return stub.documents;
  },
  get workspaceFolders() {
    return stub.workspaceFolders;
  },
  asRelativePath(uri: { path?: string } | string) {
    const full = typeof uri === "string" ? uri : (uri.path ?? "");
    const folder = (stub.workspaceFolders?.[0] as { uri: { path: string } } | undefined)?.uri.path;
    return folder && full.startsWith(`${folder}/`) ? full.slice(folder.length + 1) : full;
  },
  openTextDocument: (options: { content: string }) => {
    stub.outputs.push(`[document] ${options.content}`);
    return Promise.resolve(options);
  },
  applyEdit: (edit: { apply?: () => boolean }) => Promise.resolve(edit.apply ? edit.apply() : true),
  fs: { readFile: () => Promise.reject(new Error("no file")) },
};

export const extensions = { getExtension: (id: string) => stub.extensions[id] };

export const languages = { getDiagnostics: () => stub.diagnostics, match: () => 10 };

export const chat = {
  createChatParticipant(id: string, handler: (...args: any[]) => unknown) {
    stub.chatParticipants.push({ id, handler });
    return { iconPath: undefined as unknown, dispose() {} };
  },
};

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export class CancellationTokenSource {
  private listeners: (() => void)[] = [];
  token = {
    isCancellationRequested: false,
    onCancellationRequested: (l: () => void) => (this.listeners.push(l), disposable),
  };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.listeners.forEach((l) => l());
  }
  dispose(): void {}
}

export const Uri = {
  parse: (value: string) => {
    const path = decodeURIComponent(value.replace(/^file:\/\//, ""));
    return { scheme: value.split(":")[0], path, fsPath: path, toString: () => value };
  },
  file: (fsPath: string) => Uri.parse(pathToFileURL(fsPath).href),
  from: (parts: { scheme: string; path: string; query?: string }) => ({ ...parts, toString: () => `${parts.scheme}:${parts.path}` }),
};

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export enum ViewColumn {
  Beside = -2,
}
