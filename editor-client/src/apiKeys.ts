// "agentls: Set API Key": a provider key in VS Code's SecretStorage, under the name of the
// environment variable the server gets it as. Only the variable names are kept in
// globalState; every stored value is registered with the Redactor before any use.

import * as vscode from "vscode";
import { isVariableName, KEY_VARIABLES, type Redactor, secretId } from "./secrets";

const STORED = "agentls.apiKeyVariables";
const OTHER = "Another variable…";

export class ApiKeys {
  constructor(
    private readonly context: Pick<vscode.ExtensionContext, "secrets" | "globalState">,
    private readonly redactor: Redactor,
  ) {}

  /** The stored keys by variable name, for the server's environment. */
  async environment(): Promise<Record<string, string>> {
    const found: Record<string, string> = {};
    for (const variable of this.variables()) {
      const value = await this.context.secrets.get(secretId(variable));
      if (value) {
        this.redactor.add(value);
        found[variable] = value;
      }
    }
    return found;
  }

  /** Ask for a variable and its key (empty: remove it); the variable changed, or null. */
  async ask(): Promise<string | null> {
    const picked = await vscode.window.showQuickPick([...KEY_VARIABLES, OTHER], {
      title: "agentls: Set API Key",
      placeHolder: "The environment variable the provider reads",
    });
    const variable =
      picked === OTHER
        ? await vscode.window.showInputBox({
            prompt: "Variable name, e.g. TOGETHER_API_KEY",
            validateInput: (name) => (isVariableName(name) ? null : "Use A-Z, 0-9 and _"),
          })
        : picked;
    if (!variable) {
      return null;
    }
    const typed = await vscode.window.showInputBox({
      title: `agentls: ${variable}`,
      prompt: "Paste the key (kept in VS Code's secret storage; leave empty to remove it)",
      password: true,
      ignoreFocusOut: true,
    });
    if (typed === undefined) {
      return null;
    }
    const value = typed.trim();
    const stored = new Set(this.variables());
    if (value) {
      this.redactor.add(value);
      await this.context.secrets.store(secretId(variable), value);
      stored.add(variable);
    } else {
      await this.context.secrets.delete(secretId(variable));
      stored.delete(variable);
    }
    await this.context.globalState.update(STORED, [...stored]);
    return variable;
  }

  private variables(): string[] {
    return this.context.globalState.get<string[]>(STORED, []);
  }
}
