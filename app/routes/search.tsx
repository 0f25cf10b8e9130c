import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RelativeTime } from "~/components/RelativeTime";
import { LIMITS, pageClock } from "~/lib/format";
import { failureInit } from "~/lib/http.server";
import { search, type SearchHit, type Segment } from "~/models/search.server";
import { listTopics } from "~/models/topics.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.q ? `“${data.q}” — search — Pulse` : "Search — Pulse" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const q = (params.get("q") ?? "").trim();
  const topic = params.get("topic") || null;
  const p = params.get("page") ?? "1";
  const page = /^\d{1,3}$/.test(p) && Number(p) >= 1 ? Number(p) : 1;
  const topics = (await listTopics()).map((t) => ({ slug: t.slug, title: t.title }));
  const res = await search(q, { topic, page });
  const base = { q, topic, topics, now: pageClock() };
  if (!res.ok) return json({ ...base, result: null, error: res.message }, failureInit(res));
  return json({ ...base, result: res, error: null });
}

/** Matched words in <mark>; every part is text, escaped by React. */
function Marked({ parts }: { parts: Segment[] }) {
  return (
    <>
      {parts.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </>
  );
}

function hrefOf(h: SearchHit): string {
  if (h.kind === "topic") return `/t/${h.topic.slug}`;
  if (h.kind === "poll") return `/t/${h.topic.slug}/p/${h.poll!.slug}`;
  return `/c/${h.id}`;
}

function Hit({ h, now }: { h: SearchHit; now: number }) {
  const where = h.poll && h.kind === "comment" ? `${h.topic.title} › ${h.poll.question}` : h.topic.title;
  return (
    <li className="card">
      <p className="muted small">
        {h.kind === "topic" ? "Topic" : h.kind === "poll" ? `Question in ${h.topic.title}` : `Comment in ${where}`}
        {h.author ? (
          <>
            {" · "}
            <Link to={`/u/${h.author}`}>{h.author}</Link>
          </>
        ) : null}
        {" · "}
        <RelativeTime ms={h.createdAt} now={now} />
      </p>
      <h2 className="hit-title">
        <Link to={hrefOf(h)}>{h.kind === "comment" ? `Comment by ${h.author ?? "[deleted]"}` : <Marked parts={h.title} />}</Link>
      </h2>
      {h.snippet.length ? (
        <p className="snippet">
          <Marked parts={h.snippet} />
        </p>
      ) : null}
    </li>
  );
}

export default function Search() {
  const { q, topic, topics, result, error, now } = useLoaderData<typeof loader>();
  const pageLink = (page: number) => {
    const p = new URLSearchParams({ q });
    if (topic) p.set("topic", topic);
    if (page > 1) p.set("page", String(page));
    return `/search?${p}`;
  };
  return (
    <section className="search">
      <h1>Search</h1>
      <form method="get" action="/search" role="search" aria-label="Refine this search" className="search-form">
        <div className="field">
          <label htmlFor="q">Words to find</label>
          <input id="q" type="search" name="q" defaultValue={q} maxLength={LIMITS.search} />
        </div>
        <div className="field">
          <label htmlFor="topic">In</label>
          <select id="topic" name="topic" defaultValue={topic ?? ""}>
            <option value="">Every topic</option>
            {topics.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.title}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {result && q ? (
        result.words.length === 0 ? (
          <p role="status">Type some words to search for: letters and digits count, other signs are ignored.</p>
        ) : result.hits.length === 0 ? (
          <p role="status">{result.page > 1 ? "No more results." : `Nothing found for “${q}”${result.topic ? ` in ${result.topic.title}` : ""}.`}</p>
        ) : (
          <>
            <p role="status" className="muted">
              Results for {result.words.map((w) => `“${w}”`).join(" ")}
              {result.topic ? ` in ${result.topic.title}` : ""}, best first{result.page > 1 ? `, page ${result.page}` : ""}.
            </p>
            <ol className="search-results">
              {result.hits.map((h) => (
                <Hit key={`${h.kind}-${h.id}`} h={h} now={now} />
              ))}
            </ol>
            <nav aria-label="Result pages" className="pager">
              {result.page > 1 ? <Link to={pageLink(result.page - 1)}>← Previous</Link> : null}
              {result.hasMore ? <Link to={pageLink(result.page + 1)}>Next →</Link> : null}
            </nav>
          </>
        )
      ) : null}
    </section>
  );
}
