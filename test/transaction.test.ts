// Every model write goes through db/client's transaction(), on both engines.
// Its function may await queries; everything it writes commits together or
// not at all. With Drizzle's own SQLite transaction() the awaited part would
// run after COMMIT: these tests fail if a write escapes.
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { castVote } from "../app/models/ballots.server";
import { postComment } from "../app/models/comments.server";
import { db, forUpdate, transaction } from "../db/client";
import { topics, users } from "../db/schema";
import { allCounts, ENGINE, makeUser, optionIds, pollId, useFreshDatabase, useTestServer } from "./helpers";

const t = useFreshDatabase();
const anon = useTestServer();
const later = () => new Promise((r) => setTimeout(r, 5));
/** The injected failure, whether the driver's error arrives as is or wrapped by Drizzle. */
const injected = (err: unknown) => /injected/.test(`${(err as Error).message} ${((err as Error).cause as Error | undefined)?.message}`);

/** Makes inserts into `table` fail with "injected" until the returned function runs. */
async function failInserts(table: string): Promise<() => Promise<void>> {
  if (ENGINE === "sqlite") {
    await t.sql(`create trigger fail_${table} before insert on ${table} begin select raise(abort, 'injected'); end`).run();
    return async () => void (await t.sql(`drop trigger fail_${table}`).run());
  }
  await t.sql("create or replace function pulse_fail() returns trigger language plpgsql as $$ begin raise exception 'injected'; end $$").run();
  await t.sql(`create trigger fail_${table} before insert on ${table} for each row execute function pulse_fail()`).run();
  return async () => void (await t.sql(`drop trigger fail_${table} on ${table}`).run());
}

describe("transaction()", () => {
  it("rolls back what was written before and after an await that left the event loop", async () => {
    const before = await allCounts(t.db());
    await expect(
      transaction(async (tx) => {
        await tx.insert(users).values({ id: "x1", username: "x1", passwordHash: "h", createdAt: 0 });
        await later();
        await tx.insert(users).values({ id: "x2", username: "x2", passwordHash: "h", createdAt: 0 });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await allCounts(t.db())).toEqual(before);
  });

  it("commits writes made after awaits, and readers see none of them until COMMIT", async () => {
    let seenInside: number | undefined;
    await transaction(async (tx) => {
      await tx.insert(users).values({ id: "y1", username: "y1", passwordHash: "h", createdAt: 0 });
      await later();
      seenInside = (await db().select().from(users).where(eq(users.id, "y1"))).length;
      await tx.insert(users).values({ id: "y2", username: "y2", passwordHash: "h", createdAt: 0 });
    });
    expect(seenInside).toBe(0);
    expect((await db().select().from(users)).map((u) => u.id).sort()).toEqual(["y1", "y2"]);
  });

  it("transactions that read, wait and write back a locked row lose no update", async () => {
    // The pattern models must avoid for counts, made safe by forUpdate: on
    // SQLite transactions take turns; on PostgreSQL the row lock makes them.
    await Promise.all(
      Array.from({ length: 30 }, () =>
        transaction(async (tx) => {
          const [row] = await forUpdate(tx.select({ n: topics.commentCount }).from(topics).where(eq(topics.id, 1)));
          await later();
          await tx.update(topics).set({ commentCount: row.n + 1 }).where(eq(topics.id, 1));
        }),
      ),
    );
    expect((await t.sql("select comment_count from topics where id = 1").get()).comment_count).toBe(30);
  });

  it("row-level increments from concurrent transactions all count", async () => {
    await Promise.all(
      Array.from({ length: 30 }, () =>
        transaction(async (tx) => {
          await later();
          await tx.update(topics).set({ commentCount: sql`${topics.commentCount} + 1` }).where(eq(topics.id, 1));
        }),
      ),
    );
    expect((await t.sql("select comment_count from topics where id = 1").get()).comment_count).toBe(30);
  });

  it("the server's own copy of the models waits for a transaction this process holds open", async () => {
    // The Remix build bundles a second copy of db/client: its transactions
    // must queue behind ours for the one SQLite writer, not start inside it.
    const { client } = await makeUser(anon(), "queued");
    const option = (await optionIds(t.db(), "license-opinion"))[0];
    let vote: Promise<Response> | undefined;
    await transaction(async (tx) => {
      await tx.insert(users).values({ id: "z1", username: "z1", passwordHash: "h", createdAt: 0 });
      vote = client.post("/t/llama-2-license/p/license-opinion", { intent: "vote", option: String(option) });
      await new Promise((r) => setTimeout(r, 100));
    });
    expect((await vote!).status).toBe(302);
    expect((await t.sql("select count(*) as n from ballots").get()).n).toBe(1);
  });

  it("no model opens a transaction of its own", () => {
    const dir = path.resolve("app/models");
    for (const f of fs.readdirSync(dir)) {
      const src = fs.readFileSync(path.join(dir, f), "utf8");
      expect(src, f).not.toMatch(/\.transaction\(/);
      expect(src, f).not.toMatch(/BEGIN|COMMIT/);
    }
  });
});

describe("a failure late in a model's transaction leaves nothing behind", () => {
  it("a vote whose history row fails writes no ballot and no tally", async () => {
    const { id } = await makeUser(anon(), "atomic");
    const poll = await pollId(t.db(), "license-opinion");
    const before = await allCounts(t.db());
    const tallies = await t.sql("select option_id, count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies order by option_id").all();
    // The last write of castVote (the history row) fails: everything before it must roll back.
    const restore = await failInserts("ballot_history");
    await expect(castVote(id, poll, { optionIds: [(await optionIds(t.db(), "license-opinion"))[0]] })).rejects.toSatisfy(injected);
    await restore();
    expect(await allCounts(t.db())).toEqual(before);
    expect(await t.sql("select option_id, count + coalesce((select sum(d.delta) from tally_deltas d where d.option_id = tallies.option_id), 0) as count from tallies order by option_id").all()).toEqual(tallies);
    expect(await t.sql("select voter_count + coalesce((select sum(d.delta) from tally_deltas d where d.poll_id = polls.id and d.option_id is null), 0) as voter_count from polls where id = ?").get(poll)).toEqual({ voter_count: 0 });
  });

  it("a comment whose revision row fails leaves no comment and no count", async () => {
    const { id } = await makeUser(anon(), "atomic2");
    const before = await allCounts(t.db());
    const restore = await failInserts("comment_revisions");
    await expect(postComment({ userId: id, topicId: 1, pollId: null, parentId: null, body: "never stored", stanceOptionId: null })).rejects.toSatisfy(injected);
    await restore();
    expect(await allCounts(t.db())).toEqual(before);
    expect(await t.sql("select comment_count from topics where id = 1").get()).toEqual({ comment_count: 0 });
  });
});
