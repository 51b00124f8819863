// Bundles the extension (dist/extension.js) or, with --tests, the tests (out/test/*.js),
// where the `vscode` module and the language client are small stand-ins (test/stubs/).
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const tests = process.argv.includes("--tests");
const common = { bundle: true, platform: "node", format: "cjs", target: "node18", sourcemap: tests, logLevel: "warning" };

if (tests) {
  const entryPoints = readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => `test/${f}`);
  await build({
    ...common,
    entryPoints,
    outdir: "out/test",
    alias: { vscode: "./test/stubs/vscode.ts", "vscode-languageclient/node": "./test/stubs/languageclient.ts" },
  });
} else {
  await build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: process.argv.includes("--production"),
  });
}
