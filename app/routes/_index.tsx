import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { listTopics } from "~/models/topics.server";
import { plural } from "~/lib/format";

export const meta: MetaFunction = () => [
  { title: "Pulse — community discussion and surveys" },
  { name: "description", content: "Read, vote and argue about open questions, and see what the community thinks." },
];

export async function loader() {
  return { topics: await listTopics() };
}

export default function Index() {
  const { topics } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <>
      {params.get("deleted") ? <p className="notice" role="status">Your account was deleted.</p> : null}
      <h1>Topics</h1>
      {topics.length === 0 ? (
        <p>No topics yet.</p>
      ) : (
        <ul className="topic-list">
          {topics.map((t) => (
            <li key={t.id} className="card">
              <h2>
                <Link to={`/t/${t.slug}`}>{t.title}</Link>
                {t.locked ? <span className="badge">locked</span> : null}
              </h2>
              <p className="muted">
                {`${plural(t.pollCount, "question")} · ${plural(t.answerCount, "answer")} · ${plural(t.commentCount, "comment")} · `}
                <Link to={`/t/${t.slug}/results`}>results</Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
