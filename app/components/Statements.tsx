import { Link, useFetcher, useLocation } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { useEffect, useRef } from "react";
import type { getStatementsPage } from "~/models/statements.server";
import { plural } from "~/lib/format";
import { useHydrated } from "./useHydrated";

type Page = NonNullable<SerializeFrom<Awaited<ReturnType<typeof getStatementsPage>>>> & { max: number; signedIn: boolean };
type Result = { ok?: boolean; errors?: Record<string, string[]>; values?: Record<string, unknown> } | null;

const YOURS = { 1: "you agreed", [-1]: "you disagreed", 0: "you passed" } as Record<number, string>;

/** The statements page (issue 28): where you sit, the next statement to rate, writing one, and every shown statement with its counts. */
export function StatementsPage({ data, result }: { data: Page; result: Result }) {
  const base = `/t/${data.topic.slug}`;
  const open = data.topic.mode !== "off";
  return (
    <article className="statements">
      <p className="crumbs">
        <Link to={base}>← {data.topic.title}</Link>
      </p>
      <h1>People&apos;s statements</h1>
      <p className="lead">
        Short statements written by participants, one idea each. Rate each one: agree, disagree or pass. The <Link to={`${base}/map`}>opinion map</Link> groups people by
        their ratings and answers, and shows which statements each group stands for and which ones every group shares.
      </p>
      {!open ? <p className="notice">This topic takes no statements.</p> : null}
      {data.position ? <WhereYouSit position={data.position} base={base} /> : null}
      {open ? <Next data={data} /> : null}
      {open ? <Write data={data} result={result} /> : null}
      <h2 id="all">Every statement ({data.shown.length})</h2>
      {data.shown.length === 0 ? <p className="muted">No statements yet.</p> : null}
      <ol className="statement-list">
        {data.shown.map((s) => (
          <li key={s.id} className="card" id={`s-${s.id}`}>
            <p className="statement-body">{s.body}</p>
            <p className="muted small">
              {s.agree} agree · {s.disagree} disagree · {s.pass} pass{s.seed ? " · seed statement" : ""}
              {s.yours !== null ? ` · ${YOURS[s.yours]}` : ""}
            </p>
          </li>
        ))}
      </ol>
      <p className="muted small">
        As data: <a href={`${base}/statements.json`}>statements.json</a> (counts per group only where a group rated a statement at least ten times).
      </p>
    </article>
  );
}

/** The next statement to rate, chosen for this reader: few ratings and split opinions first. */
function Next({ data }: { data: Page }) {
  const fetcher = useFetcher<{ ok?: boolean; errors?: Record<string, string[]> }>({ key: "rate" });
  const hydrated = useHydrated();
  const ref = useRef<HTMLElement>(null);
  const pending = fetcher.state !== "idle";
  // After a rating with JavaScript, the next statement takes the focus (and is read out).
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) ref.current?.focus();
  }, [fetcher.state, fetcher.data]);
  if (!data.signedIn) {
    return (
      <p id="next">
        <Link to={`/login?redirectTo=${encodeURIComponent(`/t/${data.topic.slug}/statements`)}`}>Sign in</Link> to rate statements and write your own.
      </p>
    );
  }
  if (!data.next) {
    return (
      <p id="next" className="notice" role="status">
        {data.shown.length ? `You have rated all ${plural(data.shown.length, "statement")}. Write one of your own below.` : "Nothing to rate yet: write the first statement."}
      </p>
    );
  }
  const errors = fetcher.data?.errors ? Object.values(fetcher.data.errors).flat().join(" ") : null;
  return (
    <section id="next" className="card next-statement" aria-labelledby="next-heading" tabIndex={-1} ref={ref}>
      <h2 id="next-heading">
        Rate this <span className="muted small">({data.rated} rated so far)</span>
      </h2>
      <p className="statement-body big" data-testid="next-statement">
        {data.next.body}
      </p>
      <fetcher.Form method="post" className="rate-buttons" aria-busy={pending}>
        <input type="hidden" name="intent" value="rate" />
        <input type="hidden" name="statement" value={data.next.id} />
        {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
        <button type="submit" name="vote" value="agree" disabled={pending}>
          Agree
        </button>
        <button type="submit" name="vote" value="disagree" disabled={pending}>
          Disagree
        </button>
        <button type="submit" name="vote" value="pass" className="secondary" disabled={pending}>
          Pass / unsure
        </button>
      </fetcher.Form>
      {errors ? <p className="field-error" role="alert">{errors}</p> : null}
    </section>
  );
}

function Write({ data, result }: { data: Page; result: Result }) {
  const fetcher = useFetcher<{ ok?: boolean; written?: number; pending?: boolean; errors?: Record<string, string[]>; values?: Record<string, unknown> }>({ key: "write" });
  const hydrated = useHydrated();
  const params = new URLSearchParams(useLocation().search);
  const out = fetcher.data ?? result;
  const errors = out && out.ok === false && out.errors ? Object.values(out.errors).flat().join(" ") : null;
  const typed = out && out.ok === false ? String(out.values?.body ?? "") : "";
  const waiting = params.has("waiting") || (fetcher.data?.ok && fetcher.data.pending);
  const written = params.has("written") || (fetcher.data?.ok && !fetcher.data.pending);
  if (!data.signedIn) return null;
  return (
    <section id="write" aria-labelledby="write-heading">
      <h2 id="write-heading">Write a statement</h2>
      {waiting ? (
        <p className="notice" role="status">
          Thank you: your statement waits for a moderator, and shows once accepted.
        </p>
      ) : written ? (
        <p className="notice" role="status">
          Your statement is up: others will be asked to rate it.
        </p>
      ) : null}
      {/* A new form (emptied) after each statement written with JavaScript. */}
      <fetcher.Form method="post" className="stack" key={fetcher.data?.ok ? `after-${fetcher.data.written}` : "form"}>
        <input type="hidden" name="intent" value="write" />
        {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
        <label htmlFor="statement-body">One idea, in at most {data.max} characters</label>
        <textarea id="statement-body" name="body" rows={2} maxLength={data.max} defaultValue={typed} required aria-invalid={errors ? true : undefined} aria-describedby={errors ? "statement-error" : "statement-hint"} />
        <p id="statement-hint" className="hint">
          {data.topic.mode === "strict" ? "A moderator reads each statement before it shows." : "It shows at once; moderators hide what breaks the rules."} Write a view, not a
          question; others will agree or disagree with it.
        </p>
        {errors ? (
          <p id="statement-error" className="field-error" role="alert">
            {errors}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={fetcher.state !== "idle"}>
            Add statement
          </button>
        </div>
      </fetcher.Form>
      {data.mine.length ? (
        <>
          <h3>Yours, not shown</h3>
          <ul className="muted">
            {data.mine.map((s) => (
              <li key={s.id} data-testid="my-statement">
                {s.body} ({s.status === "pending" ? "waiting for a moderator" : "hidden by a moderator"})
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** Where the reader sits (Pol.is #152): their nearest group on the map, and where they rated otherwise than it leans. Theirs alone. */
function WhereYouSit({ position, base }: { position: NonNullable<Page["position"]>; base: string }) {
  const word = { 1: "agreed", [-1]: "disagreed", 0: "passed" } as Record<number, string>;
  return (
    <section id="where" className="card where" aria-labelledby="where-heading">
      <h2 id="where-heading">Where you sit</h2>
      <p data-testid="where-group">
        Your ratings and answers are closest to <strong>{position.group}</strong> on the <Link to={`${base}/map`}>opinion map</Link>. Only you see this.
      </p>
      {position.differ.length ? (
        <>
          <p>Where you part from {position.group}:</p>
          <ul>
            {position.differ.map((d) => (
              <li key={d.statementId}>
                “{d.body}”: you {word[d.yours]}; {Math.round(d.share * 100)}% of {position.group} {d.theirs === "agree" ? "agree" : "disagree"}.
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">On the statements you rated, you go along with {position.group}.</p>
      )}
    </section>
  );
}
