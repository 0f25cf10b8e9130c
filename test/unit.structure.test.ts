// Issue 24's shape of the code, kept: one copy of the app per process (no
// state on globalThis, the server imports only the build), no import circle
// in app/, no route file over 150 lines, no function over 100 lines in app/.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { pulse } from "../app/process.server";
import type { ProcessApi } from "../server/contract";

// The server declares what it needs from the app; the app's `pulse` must be that (checked by the typecheck).
const handedOver: ProcessApi = pulse;

const root = path.resolve(__dirname, "..");

function walk(dir: string, out: string[] = []): string[] {
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(f)) out.push(p);
  }
  return out;
}

const rel = (p: string) => path.relative(root, p);
const appFiles = walk(path.join(root, "app"));

/** The files a module imports at run time (type-only imports erase). */
function runtimeImports(file: string): string[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  for (const st of src.statements) {
    if ((!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) || !st.moduleSpecifier) continue;
    if (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly) continue;
    if (ts.isExportDeclaration(st) && st.isTypeOnly) continue;
    const spec = (st.moduleSpecifier as ts.StringLiteral).text;
    const base = spec.startsWith("~/") ? path.join(root, "app", spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : null;
    if (!base) continue;
    const found = [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find((c) => fs.existsSync(c));
    if (found) out.push(found);
  }
  return out;
}

describe("the shape of the code (issue 24)", () => {
  it("keeps no state on globalThis in app/, db/ or the server", () => {
    const files = [...appFiles, ...walk(path.join(root, "db")), ...walk(path.join(root, "server")), path.join(root, "server.ts")];
    const offenders = files.filter((f) => /\bglobalThis\b/.test(fs.readFileSync(f, "utf8"))).map(rel);
    expect(offenders).toEqual([]);
  });

  it("the server names no module of app/ or db/, not even for types: it reaches the app through the build", () => {
    const files = [...walk(path.join(root, "server")), path.join(root, "server.ts")];
    const reaching = files.flatMap((f) =>
      [...fs.readFileSync(f, "utf8").matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]).filter((spec) => /^(\.\.?\/)+(app|db)\/|^~\//.test(spec)).map((spec) => `${rel(f)} -> ${spec}`),
    );
    expect(reaching).toEqual([]);
    // What the build hands over has every part the server declares.
    expect(Object.keys(handedOver).sort()).toEqual(Object.keys(pulse).sort());
  });

  it("has no import circle in app/", () => {
    const graph = new Map(appFiles.map((f) => [f, runtimeImports(f)]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "open");
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === "open") cycles.push([...stack.slice(stack.indexOf(d)), d].map(rel).join(" -> "));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of appFiles) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("has no route file over 150 lines and no function over 100 lines in app/", () => {
    const long: string[] = [];
    for (const f of appFiles) {
      const text = fs.readFileSync(f, "utf8");
      const lines = text.split("\n").length;
      if (f.includes(`${path.sep}routes${path.sep}`) && lines > 150) long.push(`${rel(f)}: ${lines} lines`);
      const src = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
      const visit = (n: ts.Node) => {
        if (ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) {
          const a = src.getLineAndCharacterOfPosition(n.getStart()).line;
          const b = src.getLineAndCharacterOfPosition(n.getEnd()).line;
          if (b - a + 1 > 100) long.push(`${rel(f)}:${a + 1}: a function of ${b - a + 1} lines`);
        }
        ts.forEachChild(n, visit);
      };
      visit(src);
    }
    expect(long).toEqual([]);
  });
});
