// Issue 14's bench: the opinion map's background computation for 10,000
// people over the seeded topic's 6 polls, on one core, against 5 s.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { seededRandom } from "../../app/lib/opinion-clusters";
import { computeOpinionMap } from "../../app/models/opinion-map.server";
import { closeDatabase, setDatabase, type SqliteDB } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { seed } from "../../db/seed";

export const MAP_PEOPLE = 10_000;

export async function opinionMapCost(): Promise<{ seconds: number; people: number; groups: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulse-map-"));
  const { writer } = setDatabase(path.join(dir, "map.db")) as { writer: SqliteDB };
  try {
    runMigrations(writer);
    await seed();
    const raw = writer.$client;
    const polls = raw.prepare("select id, kind from polls where topic_id = 1 order by position").all() as { id: number; kind: string }[];
    const options = new Map(polls.map((p) => [p.id, raw.prepare("select id, value from poll_options where poll_id = ? order by position").all(p.id) as { id: number; value: number | null }[]]));
    const rand = seededRandom(14);
    const now = Date.now();
    raw.transaction(() => {
      const user = raw.prepare("insert into users (id, username, password_hash, created_at) values (?, ?, 'x', ?)");
      const ballot = raw.prepare("insert into ballots (poll_id, user_id, created_at, updated_at) values (?, ?, ?, ?)");
      const choice = raw.prepare("insert into ballot_choices (ballot_id, option_id) values (?, ?)");
      for (let i = 0; i < MAP_PEOPLE; i++) {
        user.run(`m${i}`, `mapper${i}`, now);
        const camp = i % 3;
        for (const p of polls) {
          if (rand() < 0.1) continue;
          const opts = options.get(p.id)!;
          const k = rand() < 0.2 ? Math.floor(rand() * opts.length) : (camp * 2 + p.id) % opts.length;
          const id = ballot.run(p.id, `m${i}`, now, now).lastInsertRowid;
          choice.run(id, opts[k].id);
        }
      }
      raw.prepare("update polls set voter_count = (select count(*) from ballots b where b.poll_id = polls.id)").run();
    })();
    const t0 = process.hrtime.bigint();
    const map = await computeOpinionMap(1);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { seconds, people: map?.data.people ?? 0, groups: map?.data.groups.length ?? 0 };
  } finally {
    await closeDatabase();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
