import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { ClauseTimeline } from "~/components/ClauseTimeline";
import { CommentThread, threadJoinable } from "~/components/CommentThread";
import { Slot, type JoinHandle } from "~/components/Slot";
import { PollCard, submittedChoice } from "~/components/PollCard";
import { VoteReceipt } from "~/components/VoteReceipt";
import { threadParams } from "~/lib/thread-params";
import { parseForm, readForm, safeRedirect } from "~/lib/form.server";
import { failureReply, formDone, formReply, invariantResponse, withParams } from "~/lib/http.server";
import { getReceipt } from "~/models/ballot-log.server";
import { castVote, withdrawVote } from "~/models/ballots.server";
import { findPollForVote, getPollPage, getThreadView } from "~/models/pages.server";
import { voteSchema } from "~/forms/discussion.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.poll.question} — Pulse` }] : [{ title: "Not found — Pulse" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  const page = await getPollPage(params.topic ?? "", params.poll ?? "", user);
  invariantResponse(page, "Poll not found");
  const thread = await getThreadView(page.topic, page.poll, threadParams(new URL(request.url)), user, { recordVisit: context.isGet });
  const r = user ? await getReceipt(page.topic.slug, page.poll.slug, user.id) : null;
  const receipt = r?.ok && !("none" in r) ? { leafHash: r.leafHash, index: r.index, checkpoint: r.checkpoint, public: r.public } : null;
  return { ...page, thread, signedIn: !!user, receipt };
}

/** Signed-in readers get the kept page with their slots drawn for them (docs/decisions/028), unless their thread shows differently. */
export const handle: JoinHandle = { joinable: threadJoinable };

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const { request, params } = args;
  const target = await findPollForVote(params.topic ?? "", params.poll ?? "");
  invariantResponse(target, "Poll not found");
  const form = await readForm(request);
  // What was chosen, as ids and a value, to show again if the answer is refused (never echoed as text).
  const submitted = {
    option: form.getAll("option").map(String).filter((n) => /^[1-9][0-9]{0,14}$/.test(n)).slice(0, 100),
    value: /^[1-5]$/.test(String(form.get("value") ?? "")) ? String(form.get("value")) : "",
  };
  const parsed = parseForm(voteSchema, form);
  if (!parsed.ok) return formReply(parsed.errors, submitted);
  const { intent, option, value, redirectTo, via } = parsed.data;

  const result =
    intent === "withdraw"
      ? await withdrawVote(user.id, target.pollId)
      : await castVote(user.id, target.pollId, { optionIds: option, scaleValue: value });
  if (!result.ok) return failureReply(result, submitted);
  const message = intent === "withdraw" ? "Your answer was withdrawn." : "Your answer was recorded.";
  if (via === "fetcher") return formDone({ message });
  const back = safeRedirect(redirectTo, `/t/${target.topicSlug}/p/${target.slug}`);
  return redirect(withParams(back, { [intent === "withdraw" ? "withdrawn" : "voted"]: target.slug }, `poll-${target.slug}`));
}

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
