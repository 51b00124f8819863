// A stand-in for vscode-languageclient/node in the unit tests (the real one needs VS Code;
// the integration test talks to a real server with vscode-jsonrpc instead). Each client
// records its options; the test answers its requests.

export enum CloseAction {
  DoNotRestart = 1,
  Restart = 2,
}

export enum ErrorAction {
  Continue = 1,
  Shutdown = 2,
}

export const ApplyWorkspaceEditRequest = { type: { method: "workspace/applyEdit" } };
export const DidChangeConfigurationNotification = { type: { method: "workspace/didChangeConfiguration" } };

type Handler = (params: any) => unknown;

export const clients: LanguageClient[] = [];
export const behaviour = {
  startFails: null as string | null,
  answer: (_method: string, _params: any): unknown => null,
};

export class LanguageClient {
  requestHandlers = new Map<string, Handler>();
  progressHandlers = new Map<string | number, Handler>();
  notifications: { method: string; params: any }[] = [];
  requests: { method: string; params: any; token: any }[] = [];
  running = false;
  protocol2CodeConverter = { asWorkspaceEdit: (edit: unknown) => Promise.resolve(edit) };

  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: any,
    readonly clientOptions: any,
  ) {
    clients.push(this);
  }

  async start(): Promise<void> {
    if (behaviour.startFails) {
      throw new Error(behaviour.startFails);
    }
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** The server process exits. */
  crash(): unknown {
    this.running = false;
    return this.clientOptions.errorHandler.closed();
  }

  onRequest(type: string | { method: string }, handler: Handler) {
    this.requestHandlers.set(typeof type === "string" ? type : type.method, handler);
    return { dispose() {} };
  }

  onProgress(_type: unknown, token: string | number, handler: Handler) {
    this.progressHandlers.set(token, handler);
    return { dispose: () => this.progressHandlers.delete(token) };
  }

  sendNotification(type: string | { method: string }, params: any): Promise<void> {
    this.notifications.push({ method: typeof type === "string" ? type : type.method, params });
    return Promise.resolve();
  }

  async sendRequest(method: string, params: any, token?: any): Promise<unknown> {
    this.requests.push({ method, params, token });
    return behaviour.answer(method, params);
  }

  /** The server sends a request to the client. */
  serverRequest(method: string, params: any): unknown {
    return this.requestHandlers.get(method)?.(params);
  }
}
