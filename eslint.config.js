import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Forbids a layer's upward (or sideways) imports; type-only imports pass where a pattern allows them. */
function layer(files, patterns) {
  return [{ files: [files], rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns }] } }];
}

export default tseslint.config(
  { ignores: ["build/**", "public/build/**", "node_modules/**", "migrations/**", "data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,js,mjs}"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // Layers (DESIGN.md): data flows down, never up. Each block names what a
  // layer may not import.
  ...layer("app/routes/**", [
    { group: ["drizzle-orm", "drizzle-orm/*", "better-sqlite3", "pg", "**/db/*", "**/db/**"], message: "Routes call models; SQL and the connection live in app/models." },
    { group: ["lucia"], message: "Lucia stays behind app/auth." },
  ]),
  ...layer("app/models/**", [
    { group: ["@remix-run/*"], message: "Models never speak HTTP: return an outcome, the route maps it." },
    { group: ["~/routes/*", "../routes/*", "~/components/*", "../components/*"], message: "Models sit below routes and components." },
    { group: ["lucia", "~/auth/*", "../auth/*"], message: "Models do not depend on the auth layer." },
  ]),
  ...layer("app/components/**", [
    { group: ["~/models/*", "../models/*", "../../models/*"], message: "Components may import only types from models.", allowTypeImports: true },
    { group: ["drizzle-orm", "drizzle-orm/*", "better-sqlite3", "pg", "**/db/*", "**/db/**", "~/auth/*", "lucia"], message: "Components render; data comes from loaders." },
  ]),
  ...layer("app/lib/**", [
    { group: ["~/models/*", "../models/*", "~/routes/*", "../routes/*", "~/components/*", "../components/*", "~/auth/*", "../auth/*", "**/db/*", "**/db/**", "drizzle-orm", "drizzle-orm/*", "lucia"], message: "app/lib holds pure functions: no models, database, auth or UI.", allowTypeImports: true },
  ]),
  ...layer("app/forms/**", [
    { group: ["~/routes/*", "../routes/*", "~/components/*", "../components/*", "@remix-run/*", "lucia", "../../db/client", "**/db/connection", "drizzle-orm", "drizzle-orm/*"], message: "Form schemas read input; they never reach the database, the UI or HTTP." },
    { group: ["~/models/*", "../models/*"], message: "Form schemas may name models' types only.", allowTypeImports: true },
  ]),
  ...layer("app/auth/**", [
    { group: ["~/routes/*", "../routes/*", "~/components/*", "../components/*"], message: "Auth sits below routes and components." },
  ]),
  ...layer("{db,scripts}/**", [
    { group: ["**/app/routes/*", "**/app/components/*", "~/routes/*", "~/components/*"], message: "Scripts and the database layer call models, never routes or UI." },
  ]),
  // The process loads the app once, through the build (issue 24): the server
  // names no module of the app, not even for types.
  ...layer("{server.ts,server/**}", [
    { group: ["./app/*", "./app/**", "../app/*", "../app/**", "./db/*", "./db/**", "../db/*", "../db/**", "~/*"], message: "The server reaches the app through the build's entry (app/process.server.ts); it declares the types it needs in server/contract.ts." },
  ]),
  {
    // One copy of the app per process: its state is module state, never a global.
    files: ["app/**", "db/**", "server.ts", "server/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "Identifier[name='globalThis']", message: "Keep state in a module: the process loads the app once (issue 24)." },
      ],
    },
  },
  {
    // Tests poke at raw rows.
    files: ["test/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      // Waits wait for a condition and say which (test/waits.ts sets how long).
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='expect'][callee.property.name='poll'][arguments.length<2]",
          message: "Give expect.poll a { message } that says what it waits for.",
        },
        {
          selector: "CallExpression[callee.property.name='waitForTimeout']",
          message: "Wait for a condition, not for a fixed time.",
        },
      ],
    },
  },
);
