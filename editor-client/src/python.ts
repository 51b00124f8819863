// The Python extension's selected interpreter (ms-python.python's API), when that
// extension is installed; agentls runs from it when agentls.serverCommand is unset.

import * as vscode from "vscode";

export class PythonInterpreter {
  private watching = false;

  /** `changed` runs when the user selects another interpreter. */
  constructor(private readonly changed: () => void) {}

  async selected(): Promise<string | null> {
    const python = vscode.extensions.getExtension("ms-python.python");
    if (!python) {
      return null;
    }
    try {
      const api = python.isActive ? python.exports : await python.activate();
      const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!this.watching && api?.environments?.onDidChangeActiveEnvironmentPath) {
        this.watching = true;
        api.environments.onDidChangeActiveEnvironmentPath(() => this.changed());
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
}
