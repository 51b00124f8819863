// API keys: kept in VS Code's SecretStorage, given to the server process as environment
// variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...: the ones litellm and the OpenAI client
// read), never written to settings or logs. Everything the extension logs goes through a
// Redactor that knows the keys.

import type * as vscode from "vscode";

export const KEY_VARIABLES = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "GEMINI_API_KEY",
  "MISTRAL_API_KEY",
  "DEEPSEEK_API_KEY",
  "GROQ_API_KEY",
  "OPENROUTER_API_KEY",
  "AZURE_API_KEY",
  "HF_TOKEN",
];

export function secretId(variable: string): string {
  return `agentls.apiKey.${variable}`;
}

export function isVariableName(name: string): boolean {
  return /^[A-Z_][A-Z0-9_]*$/.test(name);
}

/** The server's environment: the extension host's, plus the stored keys. */
export function serverEnvironment(base: NodeJS.ProcessEnv, keys: Record<string, string>): NodeJS.ProcessEnv {
  return { ...base, ...keys };
}

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string): void {
    if (secret.length >= 4) {
      this.secrets.add(secret);
    }
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      result = result.split(secret).join("[redacted]");
    }
    return result;
  }
}

/** An output channel that never shows a known key (also given to the language client for the server's log). */
export function redactingChannel(channel: vscode.OutputChannel, redactor: Redactor): vscode.OutputChannel {
  return {
    get name() {
      return channel.name;
    },
    append: (value: string) => channel.append(redactor.redact(value)),
    appendLine: (value: string) => channel.appendLine(redactor.redact(value)),
    replace: (value: string) => channel.replace(redactor.redact(value)),
    clear: () => channel.clear(),
    show: (...args: unknown[]) => (channel.show as (...a: unknown[]) => void)(...args),
    hide: () => channel.hide(),
    dispose: () => channel.dispose(),
  };
}
