// Every model write goes through db/client's transaction(): atomic, and never
// async (better-sqlite3 commits when the function returns, so anything it
// awaited would run after COMMIT). These tests fail if a write escapes.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { postComment } from "../app/models/comments.server";
import { AsyncTransactionError, transaction } from "../db/client";
import { allCounts, makeUser, optionIds, pollId, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();

describe("transaction()", () => {
  it("rolls back every write when its function throws", () => {
    const before = allCounts(t.db());
    expect(() =>
      transaction(() => {
        t.db().$client.prepare("insert into users (id, username, password_hash, created_at) values ('x1', 'x1', 'h', 0)").run();
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(allCounts(t.db())).toEqual(before);
  });

  it("refuses an async function and rolls back what it wrote before its first await", async () => {
    const before = allCounts(t.db());
    expect(() =>
      transaction(async () => {
        t.db().$client.prepare("insert into users (id, username, password_hash, created_at) values ('x2', 'x2', 'h', 0)").run();
        await new Promise((r) => setTimeout(r, 0));
      }),
    ).toThrow(AsyncTransactionError);
    await new Promise((r) => setTimeout(r, 10));
    expect(allCounts(t.db())).toEqual(before);
  });

  it("no model passes an async function to a transaction", () => {
    const dir = path.resolve("app/models");
    for (const f of fs.readdirSync(dir)) {
      const src = fs.readFileSync(path.join(dir, f), "utf8");
      expect(src, f).not.toMatch(/transaction\(\s*async/);
      // One helper: no model opens a transaction of its own.
      expect(src, f).not.toMatch(/\.transaction\(/);
    }
  });
});

describe("a failure late in a model's transaction leaves nothing behind", () => {
  it("a vote whose history row fails writes no ballot and no tally", async () => {
    const { id } = await makeUser(anon(), "atomic");
    const poll = pollId(t.db(), "license-opinion");
    const before = allCounts(t.db());
    const tallies = t.db().$client.prepare("select option_id, count from tallies order by option_id").all();
    // The last write of castVote (the history row) fails: everything before it must roll back.
    t.db().$client.exec("create trigger fail_history before insert on ballot_history begin select raise(abort, 'injected'); end");
    await expect(castVote(id, poll, { optionIds: [optionIds(t.db(), "license-opinion")[0]] })).rejects.toThrow("injected");
    t.db().$client.exec("drop trigger fail_history");
    expect(allCounts(t.db())).toEqual(before);
    expect(t.db().$client.prepare("select option_id, count from tallies order by option_id").all()).toEqual(tallies);
    expect(t.db().$client.prepare("select voter_count from polls where id = ?").get(poll)).toEqual({ voter_count: 0 });
  });

  it("a comment whose revision row fails leaves no comment and no count", async () => {
    const { id } = await makeUser(anon(), "atomic2");
    const before = allCounts(t.db());
    t.db().$client.exec("create trigger fail_revision before insert on comment_revisions begin select raise(abort, 'injected'); end");
    await expect(postComment({ userId: id, topicId: 1, pollId: null, parentId: null, body: "never stored", stanceOptionId: null })).rejects.toThrow("injected");
    t.db().$client.exec("drop trigger fail_revision");
    expect(allCounts(t.db())).toEqual(before);
    expect(t.db().$client.prepare("select comment_count from topics where id = 1").get()).toEqual({ comment_count: 0 });
  });
});
