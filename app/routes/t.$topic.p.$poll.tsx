import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ClauseTimeline } from "~/components/ClauseTimeline";
import { CommentThread, threadJoinable } from "~/components/CommentThread";
import { Slot, type JoinHandle } from "~/components/Slot";
import { PollCard, submittedChoice } from "~/components/PollCard";
import { VoteReceipt } from "~/components/VoteReceipt";
import { threadParams } from "~/lib/thread-params";
import { invariantResponse } from "~/lib/http.server";
import { voteAction } from "~/auth/vote-action.server";
import { keepRetryAfter } from "~/lib/headers";
import { getReceipt } from "~/models/ballot-log.server";
import { getPollPage, getThreadView } from "~/models/pages.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.poll.question} — Pulse` }] : [{ title: "Not found — Pulse" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  const page = await getPollPage(params.topic ?? "", params.poll ?? "", user, Date.now(), context.auth.guest);
  invariantResponse(page, "Poll not found");
  const thread = await getThreadView(page.topic, page.poll, threadParams(new URL(request.url)), user, { recordVisit: context.isGet });
  const voter = user?.id ?? context.auth.guest;
  const r = voter ? await getReceipt(page.topic.slug, page.poll.slug, voter) : null;
  const receipt = r?.ok && !("none" in r) ? { leafHash: r.leafHash, index: r.index, checkpoint: r.checkpoint, public: r.public } : null;
  return { ...page, thread, signedIn: !!user, receipt };
}

/** Signed-in readers get the kept page with their slots drawn for them (docs/decisions/028), unless their thread shows differently. */
export const handle: JoinHandle = { joinable: threadJoinable };

export const headers = keepRetryAfter;

export const action = (args: ActionFunctionArgs) => voteAction(args, { embed: false, back: (topic, poll) => `/t/${topic}/p/${poll}` });

/** The question as the reader has it, with a refused plain post's errors and choice (a slot: it is theirs). */
function ReaderPoll() {
  const { topic, poll, signedIn } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <PollCard
      poll={poll}
      topicSlug={topic.slug}
      signedIn={signedIn}
      headingLevel={1}
      linkQuestion={false}
      actionErrors={actionData?.ok === false ? actionData.errors : null}
      submitted={actionData?.ok === false ? submittedChoice(actionData.values) : null}
    />
  );
}

function ReaderReceipt() {
  const { topic, poll, receipt } = useLoaderData<typeof loader>();
  return receipt && poll.mine ? <VoteReceipt receipt={receipt} receiptUrl={`/t/${topic.slug}/p/${poll.slug}/receipt`} logUrl={`/t/${topic.slug}/p/${poll.slug}/log`} /> : null;
}

/** The page as every reader sees it, with what is the reader's own in slots (issue 26). */
export default function PollPage() {
  const { topic, poll, thread, clause } = useLoaderData<typeof loader>();
  return (
    <article>
      <p className="crumbs">
        <Link to={`/t/${topic.slug}`}>← {topic.title}</Link>
      </p>
      {clause ? (
        <aside className="card clause-context" aria-labelledby="clause-context-h">
          <h2 id="clause-context-h">About a clause: {clause.title}</h2>
          <p className="muted">This question and its discussion are about this clause, shown here as it went from version to version.</p>
          <ClauseTimeline row={clause.row} />
          <p>
            <Link to={`/t/${topic.slug}/versions#clause-${clause.slug}`}>Every clause, version by version →</Link>
          </p>
        </aside>
      ) : null}
      <Slot id="poll">
        <ReaderPoll />
      </Slot>
      <Slot id="receipt">
        <ReaderReceipt />
      </Slot>
      <p>
        <Link to={`/t/${topic.slug}/results#poll-${poll.slug}`}>All results for this topic →</Link>
      </p>
      <CommentThread thread={thread} count={poll.commentCount} title="Discussion of this question" />
    </article>
  );
}
