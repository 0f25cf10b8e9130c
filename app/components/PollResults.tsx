import { NoteText } from "~/lib/note-links";
import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useViewer } from "./Slot";
import type { PollResult, Trend } from "~/models/results.server";
import { formatDate, formatDateTime, plural } from "~/lib/format";
import { LikertBar, OptionBars, TrendChart } from "./charts";
import { RunoffRounds } from "./RunoffRounds";
import { WHO, WHO_LABEL, type Who } from "~/lib/results-view";

const ci = (o: { low: number; high: number }) => `${Math.round(o.low * 100)}–${Math.round(o.high * 100)}%`;

/** Whether a resolved prediction the reader answered came out their way: theirs alone, so drawn inside a slot. */
export function Verdict({ slug }: { slug: string }) {
  const verdict = useViewer().mine?.verdicts[slug];
  return verdict ? <p className={`verdict ${verdict}`}>{verdict === "right" ? "You were right." : "You were wrong."}</p> : null;
}

/** `linkTarget`: "_blank" inside another site's frame, where Pulse's other pages refuse to show. */
export function PollResults({ poll, topicSlug, trend, verdict, linkTarget }: { poll: PollResult; topicSlug: string; trend?: Trend; verdict?: ReactNode; linkTarget?: "_blank" }) {
  const id = `r-${poll.slug}`;
  const r = poll.resolution;
  return (
    <section className="card result" id={`poll-${poll.slug}`} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="poll-question">
        {poll.question}
        {poll.isPrediction ? <span className="badge">prediction</span> : null}
        {poll.closed ? <span className="badge">closed</span> : null}
      </h2>
      <p className="muted">
        <span data-testid={`voters-${poll.slug}`}>{plural(poll.voters, "voter")}</span>
        {poll.guests || (poll.allowGuests && poll.voters) ? <span data-testid={`split-${poll.slug}`}>{` (${plural(poll.voters - poll.guests, "member")}, ${plural(poll.guests, "guest")})`}</span> : null}
        {poll.kind === "multiple" ? " · several answers allowed" : poll.kind === "ranked" ? " · ranked choice: the bars are first choices" : ""}
        {" · "}
        <Link to={`/t/${topicSlug}/p/${poll.slug}`} target={linkTarget}>{poll.closed ? "See the question" : "Answer this question"}</Link>
      </p>
      {poll.isPrediction && poll.resolutionCriteria ? (
        <details className="criteria">
          <summary>Resolution criteria</summary>
          <p>{poll.resolutionCriteria}</p>
        </details>
      ) : null}
      {r ? (
        <div className="resolution" role="note">
          <p>
            <strong>Resolved: {r.optionLabel}</strong> ({formatDate(r.resolvedAt)}).{" "}
            {r.note ? <NoteText note={r.note} /> : null}
            {r.sourceUrl ? (
              <a href={r.sourceUrl} rel="noopener noreferrer nofollow">Source</a>
            ) : null}
          </p>
          {verdict}
          <p>
            How the community did: {r.accuracy === null ? "no ballots." : `${Math.round(r.accuracy * 100)}% picked the outcome; mean Brier score ${r.brier?.toFixed(2)} (0 is perfect, 2 is always wrong).`}
          </p>
        </div>
      ) : null}
      {!poll.visible || !poll.options ? (
        <p className="results-hidden notice">{poll.hiddenReason}</p>
      ) : (
        <>
          {poll.kind === "scale" ? (
            <LikertBar id={id} title={poll.question} options={poll.options} voters={poll.voters} mean={poll.mean} />
          ) : (
            <OptionBars id={id} title={poll.question} options={poll.options} voters={poll.voters} highlight={r ? poll.options.find((o) => o.label === r.optionLabel)?.id : null} />
          )}
          {poll.kind === "multiple" ? (
            <p className="muted small">Each share is of all {plural(poll.voters, "voter")}; people could pick several answers, so the shares do not add up to 100%.</p>
          ) : null}
          <table className="numbers">
            <caption className="sr-only">{poll.question}: {poll.kind === "ranked" ? "first choices" : "counts and shares"}</caption>
            <thead>
              <tr>
                <th scope="col">Answer</th>
                <th scope="col">Votes</th>
                <th scope="col">Share</th>
                <th scope="col">95% interval</th>
              </tr>
            </thead>
            <tbody>
              {poll.options.map((o) => (
                <tr key={o.id}>
                  <th scope="row">{o.value !== null ? `${o.value} · ${o.label}` : o.label}</th>
                  <td>{o.count}</td>
                  <td>{o.percent}%</td>
                  <td>{poll.voters ? ci(o) : "–"}</td>
                </tr>
              ))}
            </tbody>
            {poll.mean !== null ? (
              <tfoot>
                <tr>
                  <th scope="row">Mean (1–5)</th>
                  <td colSpan={3}>{poll.mean.toFixed(2)}</td>
                </tr>
              </tfoot>
            ) : null}
          </table>
          {poll.runoff ? <RunoffRounds runoff={poll.runoff} id={id} /> : poll.kind === "ranked" && poll.voters ? <p className="muted small">The runoff counts everyone&apos;s ballots: choose Everyone to see it.</p> : null}
          {trend && trend.days.length ? (
            <details className="trend">
              <summary>Opinion over time ({plural(trend.days.length, "day")})</summary>
              <TrendChart id={`${id}-trend`} title={`${poll.question}: share of each answer by day`} days={trend.days} series={trend.series} />
            </details>
          ) : null}
          {poll.lastVoteAt ? <p className="muted small">Last vote {formatDateTime(poll.lastVoteAt)}.</p> : null}
        </>
      )}
      {poll.ballotLog ? <BallotLogLine log={poll.ballotLog} linkTarget={linkTarget} /> : null}
    </section>
  );
}

/** Everyone, members only or guests only (issue 27): plain links, so it works without JavaScript and each view has its address. */
export function WhoSwitch({ who }: { who: Who }) {
  return (
    <p className="who-switch">
      Counting:{" "}
      {WHO.map((w, i) => (
        <span key={w}>
          {i ? " · " : ""}
          {w === who ? (
            <strong aria-current="true">{WHO_LABEL[w]}</strong>
          ) : (
            <Link to={w === "all" ? "?" : `?who=${w}`} preventScrollReset>
              {WHO_LABEL[w]}
            </Link>
          )}
        </span>
      ))}
      <span className="muted small"> Guests answer without an account, one per browser, where a question allows it.</span>
    </p>
  );
}

/** Where anyone can re-count this poll: its public ballot log and the signed checkpoint these counts were read with. */
function BallotLogLine({ log, linkTarget }: { log: NonNullable<PollResult["ballotLog"]>; linkTarget?: "_blank" }) {
  return (
    <p className="muted small ballot-log">
      Re-count it: {plural(log.checkpoint.size, "ballot event")} in the public log (
      <a href={log.csv} download>
        CSV
      </a>
      ,{" "}
      <a href={log.json}>JSON</a>)
      {log.checkpoint.size ? (
        <>
          , sealed in a <a href={log.checkpoint.url}>signed checkpoint</a> with root <code title={log.checkpoint.root}>{log.checkpoint.root.slice(0, 12)}</code>
        </>
      ) : null}
      .{" "}
      <Link to="/recount" target={linkTarget}>How to check it</Link>
    </p>
  );
}
