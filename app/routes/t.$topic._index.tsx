import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { readForm } from "~/lib/form.server";
import { setFollowing } from "~/models/notifications.server";
import { getTopicBySlug } from "~/models/topics.server";
import { CommentThread, threadJoinable } from "~/components/CommentThread";
import { Slot, type JoinHandle } from "~/components/Slot";
import { AnsweredNote, ClauseList, QuestionsCount, ReaderFollow, TopicPoll } from "~/components/TopicParts";
import { threadParams } from "~/lib/thread-params";
import { getThreadView, getTopicPage } from "~/models/pages.server";
import { failureReply, formReply, invariantResponse } from "~/lib/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: "Not found — Pulse" }];
  const { topic, url } = data;
  return [
    { title: `${topic.title} — Pulse` },
    { name: "description", content: topic.description },
    // Shared links draw a card: title, summary, address (the site's own origin, never the request's Host).
    { property: "og:type", content: "article" },
    { property: "og:site_name", content: "Pulse" },
    { property: "og:title", content: topic.title },
    { property: "og:description", content: topic.description },
    { property: "og:url", content: url },
    { name: "twitter:card", content: "summary" },
    { tagName: "link", rel: "canonical", href: url },
    { tagName: "link", rel: "alternate", type: "application/rss+xml", title: `${topic.title}: newest comments`, href: `/t/${topic.slug}/feed.xml` },
  ];
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  const page = await getTopicPage(params.topic ?? "", user, Date.now(), context.auth.guest);
  invariantResponse(page, "Topic not found");
  const thread = await getThreadView(page.topic, null, threadParams(new URL(request.url)), user, { recordVisit: context.isGet });
  // The request's origin is the configured PUBLIC_ORIGIN (server.ts builds every Request from it).
  return { ...page, thread, signedIn: !!user, url: `${new URL(request.url).origin}/t/${page.topic.slug}` };
}

/** Signed-in readers get the kept page with their slots drawn for them (docs/decisions/028), unless their thread shows differently. */
export const handle: JoinHandle = { joinable: threadJoinable };

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const form = await readForm(args.request);
  const intent = form.get("intent");
  if (intent !== "follow" && intent !== "unfollow") return formReply({ intent: ["Unknown action."] });
  const topic = await getTopicBySlug(args.params.topic ?? "");
  invariantResponse(topic, "Topic not found");
  const res = await setFollowing(user.id, topic.id, intent === "follow");
  if (!res.ok) return failureReply(res);
  return redirect(`/t/${topic.slug}`);
}

/**
 * The page as every reader sees it, with what is the reader's own in slots:
 * a signed-in reader gets the kept page with those drawn for them (issue 26).
 * Nothing outside a slot may read the reader's parts of the data.
 */
export default function TopicPage() {
  const { topic, polls, thread, clauses } = useLoaderData<typeof loader>();
  // Questions still open are the ones to answer; closed and resolved ones are settled history, outside the count (issue 23).
  const open = polls.filter((p) => !p.closed);
  const settled = polls.filter((p) => p.closed);
  return (
    <article className="topic">
      <h1>{topic.title}</h1>
      {/* The page in three parts, always in reach: on a phone the discussion is thousands of pixels down. */}
      <nav aria-label="On this page" className="page-nav">
        <a href="#summary">Summary</a>
        <a href="#questions">
          {"Questions "}
          <Slot id="questions-count">
            <QuestionsCount />
          </Slot>
        </a>
        <a href="#discussion">
          Discussion <span className="muted">{topic.generalCommentCount}</span>
        </a>
        <Link to={`/t/${topic.slug}/results`}>Results</Link>
        {clauses.length ? <Link to={`/t/${topic.slug}/versions`}>Versions</Link> : null}
        {topic.statements ? <Link to={`/t/${topic.slug}/statements`}>Statements</Link> : null}
      </nav>
      <Slot id="follow">
        <ReaderFollow />
      </Slot>
      {topic.locked ? <p className="notice">This topic is locked.</p> : null}
      <section id="summary" aria-labelledby="summary-heading" className="jump-target">
        <h2 id="summary-heading" className="sr-only">Summary</h2>
        <div className="prose" dangerouslySetInnerHTML={{ __html: topic.summaryHtml }} />
        {topic.sourceUrl ? (
          <p className="muted">
            Source: <a href={topic.sourceUrl} rel="noopener noreferrer">{topic.sourceUrl}</a>
          </p>
        ) : null}
      </section>
      <section id="questions" aria-labelledby="polls-heading" className="jump-target">
        <div className="section-head">
          <h2 id="polls-heading">Questions</h2>
          <Link to={`/t/${topic.slug}/results`}>See all results →</Link>
        </div>
        <Slot id="answered">
          <AnsweredNote />
        </Slot>
        <div className="poll-stack">
          {open.map((p) => (
            <Slot key={p.id} id={`poll-${p.slug}`}>
              <TopicPoll slug={p.slug} />
            </Slot>
          ))}
        </div>
        {settled.length ? (
          <>
            <h3 id="settled-heading">Settled</h3>
            <p className="muted">Closed questions and resolved predictions: what was asked, and how it turned out.</p>
            <div className="poll-stack" aria-labelledby="settled-heading" role="group">
              {settled.map((p) => (
                <Slot key={p.id} id={`poll-${p.slug}`}>
                  <TopicPoll slug={p.slug} settled />
                </Slot>
              ))}
            </div>
          </>
        ) : null}
      </section>
      {clauses.length ? (
        <section id="clauses" aria-labelledby="clauses-heading" className="jump-target">
          <div className="section-head">
            <h2 id="clauses-heading">Clause by clause</h2>
            <Link to={`/t/${topic.slug}/versions`}>Every version →</Link>
          </div>
          <p className="muted">Each clause has its own question and discussion: does it keep the license from being open source?</p>
          <Slot id="clauses">
            <ClauseList />
          </Slot>
        </section>
      ) : null}
      <CommentThread thread={thread} count={topic.generalCommentCount} title="General discussion" />
    </article>
  );
}
