// Fails when a request or response type generated from the document is
// `unknown`, `any` or `Record<string, never>`: a client generator would go
// blind there. Comments are prose, not types; the `headers` index signature
// openapi-typescript adds to every response (`[name: string]: unknown`) only
// says other headers may come, string literal types are values, and `webhooks` and `$defs` are empty
// top-level maps of a document that has neither.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "generated/schema.d.ts";
const code = readFileSync(file, "utf8")
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/^\s*\/\/.*$/gm, "");
const lines = code.split("\n");
const offending = [];
// The name of each open `name: {` block, innermost last.
const blocks = [];
lines.forEach((line, index) => {
  const trimmed = line.trim();
  const opened = /^("[^"]+"|[\w$]+)\??: \{$/.exec(trimmed);
  if (opened) blocks.push(trimmed.split(":")[0]);
  else if (/^\};?$/.test(trimmed)) blocks.pop();
  if (trimmed === "[name: string]: unknown;" && blocks.at(-1) === "headers") return;
  if (/^export type (webhooks|\$defs) = Record<string, never>;$/.test(trimmed)) return;
  // String literal types ("unknown" is a violation code) are values, not types.
  const types = trimmed.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/\bunknown\b|\bany\b|Record<string, never>/.test(types)) offending.push(`${index + 1}: ${trimmed}`);
});
if (offending.length > 0) {
  console.error(`${offending.length} untyped places in ${file}:\n${offending.join("\n")}`);
  process.exit(1);
}
console.log(`${file}: no unknown, any or Record<string, never> in request or response types`);
