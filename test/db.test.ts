import { describe, expect, it } from "vitest";
import { openSqlite } from "../db/client";
import { seed, LLAMA_COMPARISON, LLAMA_POLLS } from "../db/seed";
import { allCounts, count, freshDatabaseFile, useFreshDatabase, writeCount } from "./helpers";

describe("connection settings", () => {
  it("sets WAL, foreign keys, busy timeout and synchronous explicitly", () => {
    const conn = openSqlite(freshDatabaseFile());
    const p = (name: string) => conn.$client.pragma(name, { simple: true });
    expect(p("journal_mode")).toBe("wal");
    expect(p("foreign_keys")).toBe(1);
    expect(p("busy_timeout")).toBe(5000);
    expect(p("synchronous")).toBe(1); // NORMAL
    conn.$client.close();
  });
});

describe("seed", () => {
  const t = useFreshDatabase();

  it("has written the LLAMA-2 topic with its seven polls, the versions comparison with a poll per clause, and nothing else", async () => {
    const conn = t.db();
    const topic = (await t.sql("select * from topics where slug = 'llama-2-license'").get()) as Record<string, unknown>;
    expect(topic).toBeTruthy();
    expect(String(topic.summary_html)).toContain("opensource.org");
    const polls = await t.sql("select slug, kind, visibility, closes_at from polls order by position").all();
    expect(polls.map((p: any) => p.slug)).toEqual([
      "license-opinion",
      "llama-3-prediction",
      "implications",
      "statement-misleading",
      "statement-clause-1v",
      "future-osi-prediction",
      "open-license-change",
      ...LLAMA_COMPARISON.clauses.map((c) => `clause-${c.slug}`),
    ]);
    expect(polls.every((p: any) => p.visibility === "always")).toBe(true);
    // The LLAMA-3 prediction is resolved from the comparison, which closed it.
    expect((polls[1] as any).closes_at).toBeLessThanOrEqual(Date.now());
    expect(await count(conn, "doc_versions")).toBe(4);
    expect(await count(conn, "doc_clauses")).toBe(5);
    expect(await count(conn, "doc_cells")).toBe(20);
    expect(new Date((polls[5] as any).closes_at).toISOString().slice(0, 10)).toBe("2027-12-31");
    expect(await count(conn, "users")).toBe(0);
    expect(await count(conn, "ballots")).toBe(0);
    expect(await count(conn, "comments")).toBe(0);
    // Every option has its tally row.
    expect(await count(conn, "tallies")).toBe(await count(conn, "poll_options"));
    const expectedOptions = LLAMA_POLLS.reduce((n, p) => n + (p.kind === "scale" ? 5 : p.options.length), 0) + 5 * LLAMA_COMPARISON.clauses.length;
    expect(await count(conn, "poll_options")).toBe(expectedOptions);
  });

  it("is idempotent: a second run changes nothing", async () => {
    const conn = t.db();
    const before = await allCounts(conn);
    const writesBefore = await writeCount();
    const result = await seed();
    expect(result.created).toEqual([]);
    expect(await allCounts(conn)).toEqual(before);
    expect(await writeCount()).toBe(writesBefore);
  });

  it("completes a partial seed", async () => {
    const conn = t.db();
    await t.sql("delete from polls where slug = 'implications'").run();
    const result = await seed();
    expect(result.created).toEqual(["poll implications"]);
    expect(await count(conn, "polls")).toBe(7 + LLAMA_COMPARISON.clauses.length);
  });
});
