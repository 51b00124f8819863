// The `vscode` stand-in under the real vscode-languageclient (test/realClient.test.ts):
// the stub of vscode.ts, the few classes the client builds (Position, Range, TextEdit,
// WorkspaceEdit, EventEmitter, Disposable), and a no-op for every other API the client
// registers with (providers, events), so that it can start, sync documents and convert edits.
const base = require("./vscode.ts");
const { applyTextEdits } = require("../../src/edits.ts");

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    [this.start, this.end] = a instanceof Position ? [a, b] : [new Position(a, b), new Position(c, d)];
  }
}

class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
}

/** Applies itself to the stub's open documents (workspace.applyEdit calls `apply`). */
class WorkspaceEdit {
  constructor() {
    this.edits = new Map();
  }
  replace(uri, range, newText) {
    const key = uri.toString();
    this.edits.set(key, [...(this.edits.get(key) ?? []), { range, newText }]);
  }
  set(uri, edits) {
    this.edits.set(uri.toString(), edits);
  }
  apply() {
    for (const [uri, edits] of this.edits) {
      const document = base.stub.documents.find((d) => d.uri.toString() === uri);
      if (!document) {
        return false;
      }
      document.text = applyTextEdits(document.text, edits);
      document.version += 1;
    }
    return true;
  }
}

class EventEmitter {
  constructor() {
    this.listeners = [];
    this.event = (listener) => {
      this.listeners.push(listener);
      return { dispose() {} };
    };
  }
  fire(value) {
    this.listeners.forEach((listener) => listener(value));
  }
  dispose() {}
}

class Disposable {
  constructor(dispose) {
    this.dispose = dispose ?? (() => undefined);
  }
  static from(...items) {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
}

/** Anything else: callable, constructible, any property; returns more of the same. */
function anything() {
  return new Proxy(function () {}, {
    get: (target, key) => (key === "prototype" ? target.prototype : typeof key === "symbol" ? undefined : anything()),
    apply: () => anything(),
    construct: () => anything(),
  });
}

function loose(namespace) {
  return new Proxy(namespace, { get: (target, key) => (key in target ? target[key] : anything()) });
}

const own = {
  Position,
  Range,
  TextEdit,
  WorkspaceEdit,
  EventEmitter,
  Disposable,
  version: "1.90.0",
  env: { appName: "Visual Studio Code", language: "en", machineId: "test", sessionId: "test" },
};
for (const name of ["workspace", "window", "languages", "commands", "extensions", "chat"]) {
  own[name] = loose(base[name]);
}

module.exports = new Proxy(base, {
  get: (target, key) => (key in own ? own[key] : key in target ? target[key] : anything()),
});
