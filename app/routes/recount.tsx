import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { publicLogs } from "~/models/ballot-log.server";

export const meta: MetaFunction = () => [
  { title: "Re-count the results — Pulse" },
  { name: "description", content: "How anyone can check Pulse's poll results from the signed public ballot logs, without learning how anyone voted." },
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
        You do not have to trust our counters. Every poll whose results are public to everyone publishes its ballot log: one entry for each time someone answered, changed
        their answer, withdrew it, or had it removed by a moderator&apos;s ban. The entries are the leaves of a Merkle tree that Pulse signs, published the way certificate
        transparency logs are (<a href="https://github.com/C2SP/C2SP/blob/main/tlog-tiles.md">C2SP tlog-tiles</a>), so tools made for those logs can check it. Replaying
        the entries gives the results page&apos;s numbers.
      </p>
      <h2>What an entry holds</h2>
      <p>
        One line: <code>pulse-ballot/1 poll hour voter n action choices</code>. Its leaf hash is SHA-256 of a zero byte and the line (RFC 6962).
      </p>
      <dl>
        <dt>hour</dt>
        <dd>The hour it happened in (UTC), never the minute.</dd>
        <dt>voter</dt>
        <dd>
          A pseudonym: a keyed hash of the person and the poll, under a secret only the server holds. It stays the same for one person within one poll, and differs between
          polls, so logs cannot be joined to learn how anyone answered several questions. No user name, account id or session appears.
        </dd>
        <dt>n</dt>
        <dd>
          Which of this voter&apos;s events it is in this poll: 1, 2, 3… Entries join the tree in batches, ordered by their hash rather than by arrival, so the tree&apos;s
          order says nothing about who acted when; n says which event came last.
        </dd>
        <dt>action</dt>
        <dd>
          <code>cast</code>, <code>change</code>, <code>withdraw</code> or <code>removed</code> (a moderator&apos;s ban took the ballot out).
        </dd>
        <dt>choices</dt>
        <dd>The option ids the ballot holds after the event, in ascending order, separated by spaces; none after a withdrawal or removal.</dd>
      </dl>
      <h2>How to check</h2>
      <ol>
        <li>
          Download the topic&apos;s <code>results.json</code> (linked from every results page). Each public poll there has a <code>ballotLog</code> entry: the signed
          checkpoint&apos;s size and root, how many entries its counts include, and the log&apos;s readable views as CSV and JSON.
        </li>
        <li>
          Fetch the checkpoint (<code>/t/topic/p/poll/log/checkpoint</code>) and check its signature with the key at <a href="/recount/key">/recount/key</a>. Fetch the
          tiles below <code>/log/tile/</code>: the entry bundles hold the entries, the hash tiles their leaf hashes and the tree above them. Recompute the root from the
          leaves and compare it with the checkpoint&apos;s.
        </li>
        <li>
          Replay the entries: each voter&apos;s entry with the highest n is their ballot (a cast or change holds its choices; a withdraw or removed holds none). Count the
          voters holding a ballot, and how many hold each option, and compare with <code>results.json</code> when its entry count equals the checkpoint&apos;s size.
        </li>
        <li>
          Write the checkpoint down. Next time, a consistency proof from the tiles shows that the new tree still holds the old one: history was not rewritten.
        </li>
      </ol>
      <p>
        Pulse&apos;s own checker does all of it: <code>npm run results:verify -- https://this-site topic-slug --state seen.json</code>. It exits with 1 and names the poll
        and the entry, tile or count when anything disagrees.
      </p>
      <h2 id="tree">Your receipt</h2>
      <p>
        After you answer, the poll page shows your receipt: your entry&apos;s hash, then, within a second or so, its place in the tree and the checkpoint that holds it.
        From the tiles, any tool can prove that your entry is there.
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
