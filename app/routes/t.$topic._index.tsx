import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PollCard } from "~/components/PollCard";
import { getTopicPage } from "~/models/pages.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.topic.title} — Pulse` }] : [{ title: "Not found — Pulse" }];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const page = await getTopicPage(params.topic ?? "", context.auth.user);
  if (!page) throw new Response("Topic not found", { status: 404 });
  return { ...page, signedIn: !!context.auth.user };
}

export default function TopicPage() {
  const { topic, polls, signedIn } = useLoaderData<typeof loader>();
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
    </article>
  );
}
