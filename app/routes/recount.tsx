import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { publicLogs } from "~/models/ballot-log.server";

export const meta: MetaFunction = () => [
  { title: "Re-count the results — Pulse" },
  { name: "description", content: "How anyone can check Pulse's poll results from the public ballot logs, without learning how anyone voted." },
];

// How to re-count, for people outside (docs/ballot-log.md holds the same, for developers), and every public log to do it with.
export async function loader() {
  return { topics: await publicLogs() };
}

export default function Recount() {
  const { topics } = useLoaderData<typeof loader>();
  return (
    <article className="prose narrow-prose">
      <h1>Re-count the results yourself</h1>
      <p>
        You do not have to trust our counters. Every poll whose results are public to everyone publishes its ballot log: one row for each time someone answered, changed
        their answer, withdrew it, or had it removed by a moderator&apos;s ban, in the order it happened. Replaying the log gives the results page&apos;s numbers.
      </p>
      <h2>What a row holds</h2>
      <dl>
        <dt>seq</dt>
        <dd>The row&apos;s number: 1, 2, 3, and so on, with no gaps.</dd>
        <dt>hour</dt>
        <dd>The hour it happened in (UTC), never the minute.</dd>
        <dt>voter</dt>
        <dd>
          A pseudonym: a keyed hash of the person and the poll, under a secret only the server holds. It stays the same for one person within one poll, and differs between
          polls, so logs cannot be joined to learn how anyone answered several questions. No user name, account id or session appears.
        </dd>
        <dt>action</dt>
        <dd>
          <code>cast</code>, <code>change</code>, <code>withdraw</code> or <code>removed</code> (a moderator&apos;s ban took the ballot out).
        </dd>
        <dt>choices</dt>
        <dd>
          The option ids the ballot holds after the event, in ascending order, separated by spaces; empty after a withdrawal or removal. The CSV adds their labels in a
          column of its own, which the hash does not cover.
        </dd>
        <dt>prev, hash</dt>
        <dd>
          The hash of the row before (64 zeros for the first row), and this row&apos;s own: SHA-256, in hex, of{" "}
          <code>poll id|seq|hour|voter|action|choices|prev</code>.
        </dd>
      </dl>
      <h2>How to check</h2>
      <ol>
        <li>
          Download the topic&apos;s <code>results.json</code> (linked from every results page). Each public poll there has a <code>ballotLog</code> entry: its row count, its head hash,
          and the log&apos;s address as CSV and JSON.
        </li>
        <li>Download the log, a page of up to 1,000 rows at a time: each page names the next (<code>next</code> in JSON, a <code>Link</code> header on both). For each row, check that seq counts up from 1, that prev is the hash of the row before, and that hash is the SHA-256 of the row&apos;s fields as above.</li>
        <li>
          Replay the first rows, as many as <code>results.json</code> counted: a cast gives a pseudonym its choices (it must not hold a ballot yet), a change replaces them, a
          withdraw or removed takes them away. Count the pseudonyms holding a ballot, and how many hold each option.
        </li>
        <li>
          Compare with <code>results.json</code>: the voters, every option&apos;s count, and the hash of the last row you replayed with its head. Write the head down: if history is
          ever rewritten, that hash will no longer be found at that row.
        </li>
      </ol>
      <p>
        A spreadsheet, <code>sha256sum</code> and a little patience are enough. Pulse&apos;s own checker does all of it:{" "}
        <code>npm run results:verify -- https://this-site topic-slug --state seen.json</code>. It exits with 1 and names the poll and row when anything disagrees.
      </p>
      <h2 id="tree">A signed tree, and your receipt</h2>
      <p>
        Each poll&apos;s events are also the entries of a Merkle tree that Pulse signs, published the way certificate transparency logs are (C2SP tlog-tiles), so tools
        made for those logs can check it. The tree&apos;s latest checkpoint is at <code>/t/topic/p/poll/log/checkpoint</code>, its tiles below <code>/log/tile/</code>,
        and the key that signs it at <a href="/recount/key">/recount/key</a>. After you answer, the poll page shows your receipt: your entry&apos;s hash, then its place in
        the tree and the checkpoint that holds it. From the tiles, any tool can prove that your entry is there, and that a later tree still holds the earlier one.
      </p>
      <h2 id="logs">The logs</h2>
      {topics.length === 0 ? <p>No poll&apos;s results are public yet.</p> : null}
      {topics.map((t) => (
        <section key={t.slug} aria-labelledby={`logs-${t.slug}`}>
          <h3 id={`logs-${t.slug}`}>
            <Link to={`/t/${t.slug}/results`}>{t.title}</Link>
          </h3>
          <p>
            The counts to compare with: <a href={`/t/${t.slug}/results.json`}>results.json</a>.
          </p>
          <ul className="log-links">
            {t.polls.map((p) => (
              <li key={p.slug}>
                {p.question} <a href={`/t/${t.slug}/p/${p.slug}/ballots.csv`}>CSV</a> · <a href={`/t/${t.slug}/p/${p.slug}/ballots.json`}>JSON</a> ·{" "}
                <a href={`/t/${t.slug}/p/${p.slug}/log/checkpoint`}>checkpoint</a>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <p>
        <Link to="/">Back to the topics</Link>
      </p>
    </article>
  );
}
