import * as pg from "./pg";
import * as sqlite from "./sqlite";

// The tables of whichever engine is open. Models import tables from here and
// write one query for both engines: each export forwards to the SQLite or the
// PostgreSQL table object of the same name, chosen when a query is built
// (docs/decisions/013). TypeScript sees the SQLite module's types; the parity
// test (test/schema-parity.test.ts) keeps the two modules column for column
// alike, so those types hold for both.

type Tables = typeof sqlite;
type Name = { [K in keyof Tables]: Tables[K] extends { _: { name: string } } ? K : never }[keyof Tables];

let current: "sqlite" | "pg" = "sqlite";

/** Which engine's tables the exports below stand for (db/client.ts sets it when it opens a database). */
export function useTablesOf(engine: "sqlite" | "pg"): void {
  current = engine;
}

function live<K extends Name>(name: K): Tables[K] {
  const pick = (): object => (current === "pg" ? (pg as Record<string, object>)[name] : sqlite[name]);
  return new Proxy(sqlite[name], {
    get: (_, key) => Reflect.get(pick(), key),
    has: (_, key) => Reflect.has(pick(), key),
    ownKeys: () => Reflect.ownKeys(pick()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(pick(), key);
      // A proxy may not report a property as non-configurable unless its target has it so.
      return d && { ...d, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(pick()),
  });
}

export const users = live("users");
export const sessions = live("sessions");
export const topics = live("topics");
export const polls = live("polls");
export const pollOptions = live("pollOptions");
export const tallies = live("tallies");
export const tallyDeltas = live("tallyDeltas");
export const ballots = live("ballots");
export const ballotChoices = live("ballotChoices");
export const ballotHistory = live("ballotHistory");
export const tallyDaily = live("tallyDaily");
export const comments = live("comments");
export const commentRevisions = live("commentRevisions");
export const commentVotes = live("commentVotes");
export const reports = live("reports");
export const moderationLog = live("moderationLog");
export const dataVersions = live("dataVersions");
export const healthChecks = live("healthChecks");
export const siteTexts = live("siteTexts");
export const notifications = live("notifications");
export const notificationMutes = live("notificationMutes");
export const follows = live("follows");
export const userMutes = live("userMutes");
export const topicVisits = live("topicVisits");
export const recoveryCodes = live("recoveryCodes");
export const passwordResets = live("passwordResets");
export const opinionMaps = live("opinionMaps");
export const statements = live("statements");
export const statementVotes = live("statementVotes");
export const ballotLog = live("ballotLog");
export const serverSecrets = live("serverSecrets");
export const docComparisons = live("docComparisons");
export const docVersions = live("docVersions");
export const docClauses = live("docClauses");
export const docCells = live("docCells");
export const logEntries = live("logEntries");
export const logHashes = live("logHashes");
export const logCheckpoints = live("logCheckpoints");
