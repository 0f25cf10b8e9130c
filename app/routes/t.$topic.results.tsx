import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { CrossTabTable } from "~/components/CrossTabTable";
import { PollResults, Verdict, WhoSwitch } from "~/components/PollResults";
import { resultsOf, whoOf } from "~/lib/results-view";
import { Slot, useViewer, type JoinHandle } from "~/components/Slot";
import type { PollResult } from "~/models/results.server";
import { useHydrated } from "~/components/useHydrated";
import { useLiveResults } from "~/components/useLiveResults";
import { formatDateTime, plural } from "~/lib/format";
import { getResultsPage } from "~/models/results.server";
import { invariantResponse } from "~/lib/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: "Not found — Pulse" }];
  const title = `Results: ${data.topic.title}`;
  const lead = data.polls.find((p) => p.visible && p.options && p.voters > 0 && p.kind === "single");
  const top = lead?.options ? [...lead.options].sort((a, b) => b.count - a.count)[0] : null;
  const summary = lead && top ? `${plural(lead.voters, "person", "people")} answered "${lead.question}": ${top.percent}% said "${top.label}".` : "Community results on Pulse; add your answer.";
  return [
    { title: `${title} — Pulse` },
    { name: "description", content: summary },
    { property: "og:title", content: title },
    { property: "og:description", content: summary },
    { property: "og:type", content: "website" },
    { property: "og:url", content: data.url },
    { name: "twitter:card", content: "summary" },
    { name: "twitter:title", content: title },
    { name: "twitter:description", content: summary },
  ];
};

/** Its data is the same for every reader: a reader's part of the kept page is the root's and the slots' (docs/decisions/028). */
export const handle: JoinHandle = { publicData: true };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const page = await getResultsPage(params.topic ?? "", { a: url.searchParams.get("a"), b: url.searchParams.get("b") });
  invariantResponse(page, "Topic not found");
  // request.url is built on PUBLIC_ORIGIN by server.ts, never on the Host header.
  return { ...page, url: `${url.origin}${url.pathname}` };
}

export default function Results() {
  const data = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const [paused, setPaused] = useState(false);
  const { live, connected } = useLiveResults(data.topic.slug, paused);
  const who = whoOf(useSearchParams()[0].get("who"));
  // The stream is public; a viewer may see more (after voting), so only take what it shows.
  const polls = data.polls.map((p) => {
    const l = live?.polls.find((x) => x.slug === p.slug);
    return resultsOf(l && (l.visible || !p.visible) ? l : p, who);
  });
  const lastUpdate = live?.lastUpdate ?? data.lastUpdate;
  const slug = data.topic.slug;
  return (
    <article>
      <p className="crumbs">
        <Link to={`/t/${slug}`}>← {data.topic.title}</Link>
      </p>
      <h1>What the community thinks</h1>
      <div className="card honesty">
        <p>
          These are the answers of the people who chose to take part: a self-selected sample, not a representative survey. Intervals are 95%
          Wilson intervals for each share.
        </p>
        <p>
          <Link to={`/t/${slug}/map`}>See the opinion map</Link>: which groups the community falls into across the questions, and where they agree.
        </p>
        <p className="muted" aria-live="polite">
          <span data-testid="last-updated">{lastUpdate ? `Last vote ${formatDateTime(Date.parse(lastUpdate))}` : "No votes yet"}</span>
          {" · "}page generated {formatDateTime(Date.parse(live?.generatedAt ?? data.generatedAt))}
          {hydrated ? (
            <>
              {" · "}
              <span data-testid="live-state">{paused ? "live updates paused" : connected ? "updating live" : "connecting…"}</span>{" "}
              <button type="button" className="small secondary" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
                {paused ? "Resume live updates" : "Pause live updates"}
              </button>
            </>
          ) : null}
        </p>
        <WhoSwitch who={who} />
        <p className="muted small">
          Data: <a href={`/t/${slug}/results.json`}>JSON</a> · <a href={`/t/${slug}/results.csv`}>CSV</a>
        </p>
      </div>
      {polls.map((p) =>
        p.visible ? (
          <PollResults key={p.slug} poll={p} topicSlug={slug} trend={data.trends[p.slug]} verdict={p.resolution ? <Slot id={`verdict-${p.slug}`}><Verdict slug={p.slug} /></Slot> : null} />
        ) : (
          // Hidden from the public: a reader who answered may see it (issue 26: the only copy with counts is theirs).
          <Slot key={p.slug} id={`results-${p.slug}`}>
            <Revealed poll={p} topicSlug={slug} />
          </Slot>
        ),
      )}
      <section className="card" id="crosstab" aria-labelledby="crosstab-h">
        <h2 id="crosstab-h">Compare two questions</h2>
        <p className="muted">
          How did the people who gave each answer to the first question answer the second? So that no one&apos;s answers can be singled out,
          the table shows the answers as they stood at the start of the hour (it changes once an hour, not with each vote), counts are rounded
          to the nearest 5, groups of fewer than 5 people show as &quot;&lt;5&quot;, and only questions whose results are public to everyone can be
          compared.
        </p>
        {data.pollChoices.length < 2 ? <p>Fewer than two questions have public results yet.</p> : <Form method="get" className="crosstab-form" preventScrollReset>
          <label>
            First question{" "}
            <select name="a" defaultValue={data.cross.a ?? data.pollChoices[0]?.slug}>
              {data.pollChoices.map((c) => (
                <option key={c.slug} value={c.slug}>{c.question}</option>
              ))}
            </select>
          </label>
          <label>
            Second question{" "}
            <select name="b" defaultValue={data.cross.b ?? data.pollChoices[1]?.slug}>
              {data.pollChoices.map((c) => (
                <option key={c.slug} value={c.slug}>{c.question}</option>
              ))}
            </select>
          </label>
          <button type="submit" className="small">Compare</button>
        </Form>}
        {data.crossTabError ? <p className="form-error" role="alert">{data.crossTabError}</p> : null}
        {data.crossTab ? <CrossTabTable tab={data.crossTab} /> : null}
      </section>
    </article>
  );
}

/** A poll hidden from the public: a signed-in reader's own copy (open if they answered), else the public one. */
function Revealed({ poll, topicSlug }: { poll: PollResult; topicSlug: string }) {
  const own = useViewer().mine?.own[poll.slug];
  return own ? (
    <PollResults poll={own.poll} topicSlug={topicSlug} trend={own.trend ?? undefined} verdict={<Verdict slug={poll.slug} />} />
  ) : (
    <PollResults poll={poll} topicSlug={topicSlug} />
  );
}
