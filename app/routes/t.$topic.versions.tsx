import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ClauseTimeline, StatusBadge } from "~/components/ClauseTimeline";
import { plural } from "~/lib/format";
import { getComparison } from "~/models/clauses.server";
import { getTopicBySlug } from "~/models/topics.server";
import { invariantResponse } from "~/lib/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.comparison.title} — Pulse` : "Not found — Pulse" },
  { name: "description", content: "A document's clauses through its versions: what each version added, changed or removed, with sources." },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const topic = await getTopicBySlug(params.topic ?? "");
  const comparison = topic ? await getComparison(topic.id) : null;
  invariantResponse(topic && comparison, "This topic has no comparison of versions.");
  return { topic: { slug: topic.slug, title: topic.title }, comparison };
}

export default function Versions() {
  const { topic, comparison } = useLoaderData<typeof loader>();
  const base = `/t/${topic.slug}`;
  const { versions, clauses } = comparison;
  return (
    <article className="versions">
      <p className="crumbs">
        <Link to={base}>← {topic.title}</Link>
      </p>
      <h1>{comparison.title}</h1>
      {comparison.intro ? <p className="lead">{comparison.intro}</p> : null}

      <div className="table-scroll" role="region" aria-label="Every clause in every version" tabIndex={0}>
        <table className="overview">
          <caption>At a glance</caption>
          <thead>
            <tr>
              <th scope="col">Clause</th>
              {versions.map((v) => (
                <th scope="col" key={v.id}>
                  {v.sourceUrl ? (
                    <a href={v.sourceUrl} rel="noopener noreferrer nofollow">
                      {v.label}
                    </a>
                  ) : (
                    v.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {clauses.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <a href={`#clause-${c.slug}`}>{c.title}</a>
                </th>
                {versions.map((v) => (
                  <td key={v.id}>
                    <StatusBadge status={c.cells[v.id]?.status ?? null} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {clauses.map((c) => (
        <section key={c.id} id={`clause-${c.slug}`} className="card clause" aria-labelledby={`clause-${c.slug}-h`}>
          <h2 id={`clause-${c.slug}-h`}>{c.title}</h2>
          <ClauseTimeline row={versions.map((v) => ({ version: v.label, released: v.released, cell: c.cells[v.id] ?? null }))} />
          {c.poll ? (
            <p className="clause-links">
              <Link to={`${base}/p/${c.poll.slug}`}>{c.poll.question}</Link> <span className="muted">({plural(c.poll.voters, "answer")})</span>
              <br />
              <Link to={`${base}/p/${c.poll.slug}#discussion`}>Discuss this clause</Link> <span className="muted">({plural(c.poll.comments, "comment")})</span>
            </p>
          ) : null}
        </section>
      ))}
      {clauses.length === 0 ? <p>No clauses yet.</p> : null}
    </article>
  );
}
