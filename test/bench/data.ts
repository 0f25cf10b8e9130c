// The benchmark's community, built once with bulk inserts and kept between
// runs (data/bench/): a million ballots would take an hour through the model.
import fs from "node:fs";
import path from "node:path";
import { createPoll, pollForm, type PollInput } from "../../app/models/polls.server";
import { createTopic } from "../../app/models/topics.server";
import { closeDatabase, setDatabase, type SqliteDB } from "../../db/client";
import { runMigrations } from "../../db/migrate";
import { seed } from "../../db/seed";

export const MILLION = 1_000_000;
export const SMALL = 1_000;
export const THREAD = 5_000;
export const VOTERS = 200;
/** Comments in the search benchmark's topic. */
export const SEARCHED = 100_000;
/** The words those comments are made of; each word is in about one comment in twenty. */
export const SEARCH_WORDS = Array.from({ length: 160 }, (_, i) => `w${(i * 7919).toString(36)}x`);
// Bump when the layout below changes: an older kept database is then rebuilt.
const LAYOUT = 2;

export type BenchData = { file: string; smallOpts: number[]; millionOpts: number[]; guestOpts: number[] };

function made<T extends object>(r: ({ ok: true } & T) | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r;
}

const options = (conn: SqliteDB, slug: string) =>
  (conn.$client.prepare("select o.id from poll_options o join polls p on p.id = o.poll_id where p.slug = ? order by o.position").pluck().all(slug) as number[]);

/** Opens the kept benchmark database, building it first if it is missing or of another layout. */
export async function benchDatabase(dir = path.resolve("data/bench")): Promise<BenchData> {
  fs.mkdirSync(dir, { recursive: true });
  const migrations = fs.readdirSync(path.resolve("migrations/sqlite")).filter((f) => f.endsWith(".sql")).length;
  const file = path.join(dir, `bench-l${LAYOUT}-m${migrations}.db`);
  if (!fs.existsSync(file)) {
    for (const old of fs.readdirSync(dir)) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
    const partial = `${file}.partial`;
    await build(partial);
    fs.renameSync(partial, file);
  }
  const { writer } = setDatabase(file) as { writer: SqliteDB };
  // The seeded opinion poll takes guests (issue 27): the guest votes' scenarios use it.
  const data = { file, smallOpts: options(writer, "small"), millionOpts: options(writer, "million"), guestOpts: options(writer, "license-opinion") };
  await closeDatabase();
  return data;
}

async function build(file: string) {
  const started = Date.now();
  process.stdout.write("building the benchmark database (kept in data/bench for later runs)... ");
  const { writer } = setDatabase(file) as { writer: SqliteDB };
  runMigrations(writer);
  await seed();
  const topic = async (slug: string, title: string) => made(await createTopic({ slug, title, summaryMd: "Benchmark topic.", sourceUrl: null })).id;
  const poll = async (topicId: number, input: PollInput) => made(await createPoll(topicId, pollForm(input))).id;
  const labels = ["A", "B", "C", "D"];
  const small = await poll(await topic("bench-small", "Benchmark, 1k ballots"), { slug: "small", question: "Small poll", kind: "single", options: labels });
  const million = await poll(await topic("bench-million", "Benchmark, 1M ballots"), { slug: "million", question: "Large poll", kind: "single", options: labels });
  const thread = await topic("bench-thread", "Benchmark, 5,000 comments");
  const searched = await topic("bench-search", "Benchmark, 100,000 comments to search");
  const raw = writer.$client;
  const now = Date.now();
  const day = new Date(now).toISOString().slice(0, 10);
  raw.pragma("synchronous = OFF");
  raw.transaction(() => {
    const user = raw.prepare("insert into users (id, username, password_hash, created_at) values (?, ?, 'x', ?)");
    for (let i = 0; i < MILLION; i++) user.run(`b${i}`, `bench${i}`, now);
    for (let i = 0; i < VOTERS; i++) user.run(`v${i}`, `voter${i}`, now);
    const ballot = raw.prepare("insert into ballots (poll_id, user_id, created_at, updated_at) values (?, ?, ?, ?)");
    const choice = raw.prepare("insert into ballot_choices (ballot_id, option_id) values (?, ?)");
    const history = raw.prepare("insert into ballot_history (poll_id, user_id, action, option_ids, at) values (?, ?, 'cast', ?, ?)");
    const cast = (pollId: number, opts: number[], n: number) => {
      const counts = opts.map(() => 0);
      for (let i = 0; i < n; i++) {
        const k = i % opts.length;
        counts[k]++;
        const at = now - (n - i) * 10;
        const id = ballot.run(pollId, `b${i}`, at, at).lastInsertRowid;
        choice.run(id, opts[k]);
        history.run(pollId, `b${i}`, `[${opts[k]}]`, at);
      }
      opts.forEach((o, k) => {
        raw.prepare("update tallies set count = ? where option_id = ?").run(counts[k], o);
        raw.prepare("insert into tally_daily (poll_id, day, option_id, count, voters) values (?, ?, ?, ?, ?)").run(pollId, day, o, counts[k], n);
      });
      raw.prepare("update polls set voter_count = ? where id = ?").run(n, pollId);
    };
    cast(small, options(writer, "small"), SMALL);
    cast(million, options(writer, "million"), MILLION);
    const comment = raw.prepare(
      "insert into comments (topic_id, author_id, body_md, body_html, created_at, ups, best) values (?, ?, ?, ?, ?, ?, ?)",
    );
    const revision = raw.prepare("insert into comment_revisions (comment_id, body_md, created_at) values (?, ?, ?)");
    for (let i = 0; i < THREAD; i++) {
      const body = `Comment ${i}: the license question, argued once more with a little *emphasis* and a [link](https://opensource.org/osd).`;
      const at = now - (THREAD - i) * 60_000;
      const id = comment.run(thread, `b${i}`, body, `<p>Comment ${i}: the license question, argued once more with a little <em>emphasis</em> and a <a href="https://opensource.org/osd" rel="nofollow ugc noopener">link</a>.</p>`, at, i % 7, (i % 7) / 10).lastInsertRowid;
      revision.run(id, body, at);
    }
    raw.prepare("update topics set comment_count = ? where id = ?").run(THREAD, thread);
    // 100,000 comments of eight words each, for search (the triggers index them as they go in).
    for (let i = 0; i < SEARCHED; i++) {
      const words = Array.from({ length: 8 }, (_, k) => SEARCH_WORDS[(i * 31 + k * 17 + ((i * k) % 13)) % SEARCH_WORDS.length]);
      const body = `Comment ${i} on the license: ${words.join(" ")}.`;
      comment.run(searched, `b${i}`, body, `<p>${body}</p>`, now - (SEARCHED - i) * 1000, 0, 0);
    }
    raw.prepare("update topics set comment_count = ? where id = ?").run(SEARCHED, searched);
    raw.prepare("update data_versions set version = version + 1").run();
  })();
  raw.pragma("synchronous = NORMAL");
  raw.pragma("wal_checkpoint(TRUNCATE)");
  await closeDatabase();
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
