import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CommentThread } from "~/components/CommentThread";
import { PollCard } from "~/components/PollCard";
import { threadParams } from "~/lib/thread-params";
import { getThreadView, getTopicPage } from "~/models/pages.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.topic.title} — Pulse` }] : [{ title: "Not found — Pulse" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  const page = await getTopicPage(params.topic ?? "", user);
  if (!page) throw new Response("Topic not found", { status: 404 });
  const thread = await getThreadView(page.topic, null, threadParams(new URL(request.url)), user);
  return { ...page, thread, signedIn: !!user };
}

export default function TopicPage() {
  const { topic, polls, thread, signedIn } = useLoaderData<typeof loader>();
  return (
    <article>
      <h1>{topic.title}</h1>
      {topic.locked ? <p className="notice">This topic is locked.</p> : null}
      <div className="prose" dangerouslySetInnerHTML={{ __html: topic.summaryHtml }} />
      {topic.sourceUrl ? (
        <p className="muted">
          Source: <a href={topic.sourceUrl} rel="noopener noreferrer">{topic.sourceUrl}</a>
        </p>
      ) : null}
      <section aria-labelledby="polls-heading">
        <div className="section-head">
          <h2 id="polls-heading">Questions</h2>
          <Link to={`/t/${topic.slug}/results`}>See all results →</Link>
        </div>
        <div className="poll-stack">
          {polls.map((p) => (
            <PollCard key={p.id} poll={p} topicSlug={topic.slug} signedIn={signedIn} headingLevel={3} />
          ))}
        </div>
      </section>
      <CommentThread thread={thread} signedIn={signedIn} count={topic.generalCommentCount} title="General discussion" />
    </article>
  );
}
