import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getTopicPage } from "~/models/pages.server";
import { plural } from "~/lib/format";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.topic.title} — Pulse` }] : [{ title: "Not found — Pulse" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const page = await getTopicPage(params.topic ?? "");
  if (!page) throw new Response("Topic not found", { status: 404 });
  return page;
}

const kindLabel = { single: "single choice", multiple: "multiple choice", scale: "agree / disagree scale" } as const;

export default function TopicPage() {
  const { topic, polls } = useLoaderData<typeof loader>();
  return (
    <article>
      <h1>{topic.title}</h1>
      <div className="prose" dangerouslySetInnerHTML={{ __html: topic.summaryHtml }} />
      {topic.sourceUrl ? (
        <p className="muted">
          Source: <a href={topic.sourceUrl} rel="noopener noreferrer">{topic.sourceUrl}</a>
        </p>
      ) : null}
      <section aria-labelledby="polls-heading">
        <h2 id="polls-heading">Questions</h2>
        <ol className="poll-list">
          {polls.map((p) => (
            <li key={p.id} className="card">
              <h3>
                <Link to={`/t/${topic.slug}/p/${p.slug}`}>{p.question}</Link>
              </h3>
              <p className="muted">
                {kindLabel[p.kind]}
                {p.isPrediction ? " · prediction" : ""} · {plural(p.voterCount, "voter")}
              </p>
            </li>
          ))}
        </ol>
        <p>
          <Link to={`/t/${topic.slug}/results`}>See what the community thinks →</Link>
        </p>
      </section>
    </article>
  );
}
