import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { listTopics } from "~/models/topics.server";
import { newCommentCounts } from "~/models/unread.server";
import { plural } from "~/lib/format";

export const meta: MetaFunction = () => [
  { title: "Pulse — community discussion and surveys" },
  { name: "description", content: "Read, vote and argue about open questions, and see what the community thinks." },
];

export async function loader({ context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  const topics = await listTopics();
  // Signed in: how many comments each visited topic got since the last visit.
  const fresh = user ? await newCommentCounts(user.id) : new Map<number, number>();
  return { topics: topics.map((t) => ({ ...t, newCount: fresh.get(t.id) ?? null })) };
}

export default function Index() {
  const { topics } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  // The first topic (the oldest) is where a newcomer starts.
  const first = topics.reduce<(typeof topics)[number] | null>((a, t) => (a === null || t.id < a.id ? t : a), null);
  return (
    <>
      {params.get("deleted") ? <p className="notice" role="status">Your account was deleted.</p> : null}
      <h1>Topics</h1>
      {/* First arrival (issue 23): what this is, and the first step. */}
      <p className="lead">
        Pulse is where a community argues one question at a time and sees where it stands: each topic has a short summary of a public argument, questions anyone can answer,
        a threaded discussion, and results that everyone can see.
      </p>
      {first ? (
        <p className="first-step">
          <strong>Start here:</strong> read the summary, answer the questions, see what others think.{" "}
          <Link to={`/t/${first.slug}`} className="button small">{`Open "${first.title}"`}</Link>
        </p>
      ) : null}
      {topics.length === 0 ? (
        <p>No topics yet.</p>
      ) : (
        <ul className="topic-list">
          {topics.map((t) => (
            <li key={t.id} className="card">
              <h2>
                <Link to={`/t/${t.slug}`}>{t.title}</Link>
                {t.locked ? <span className="badge">locked</span> : null}
                {t.newCount ? <span className="badge new-badge">{`${t.newCount} new`}</span> : null}
              </h2>
              <p className="muted">
                {`${plural(Number(t.pollCount), "question")}${Number(t.clauseCount) ? ` · ${plural(Number(t.clauseCount), "clause")}` : ""} · ${plural(Number(t.answerCount), "answer")} · ${plural(t.commentCount, "comment")} in all threads · `}
                <Link to={`/t/${t.slug}/results`}>results</Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
