import { Form, Link, useLoaderData } from "@remix-run/react";
import { plural } from "~/lib/format";
import type { loader } from "~/routes/t.$topic._index";
import { PollCard } from "./PollCard";

// The topic page's parts that are the reader's own. Each stands in a <Slot>
// on the page and reads the page's data from context, so a signed-in reader's
// copy of the kept page draws them for that reader (docs/decisions/028).

const useTopic = () => useLoaderData<typeof loader>();

/** The open questions (closed and resolved ones are settled history, outside the count) and how many the reader answered. */
function useAnswered() {
  const { polls, signedIn } = useTopic();
  const open = polls.filter((p) => !p.closed);
  return { signedIn, open: open.length, answered: open.filter((p) => p.mine).length };
}

/** Following is private: only the follower sees it, and it brings "new comments in …" to their inbox. */
function FollowButton({ following }: { following: boolean }) {
  return (
    <Form method="post" className="follow-form" preventScrollReset>
      <button type="submit" name="intent" value={following ? "unfollow" : "follow"} className="small secondary">
        {following ? "Stop following" : "Follow"}
      </button>
      <span className="muted small">{following ? "You follow this topic: its new comments reach your notifications. Only you see this." : "Hear of new comments in your notifications. Only you see what you follow."}</span>
    </Form>
  );
}

/** How many open questions the reader answered (a slot: it is theirs). */
export function QuestionsCount() {
  const { signedIn, open, answered } = useAnswered();
  return <span className="muted">{signedIn ? `${answered}/${open}` : open}</span>;
}

export function ReaderFollow() {
  const { signedIn, following } = useTopic();
  return signedIn ? <FollowButton following={following} /> : null;
}

export function AnsweredNote() {
  const { signedIn, open, answered } = useAnswered();
  return signedIn && answered > 0 ? (
    <p className="muted">
      {answered === open ? "You have answered every open question. " : `You have answered ${answered} of ${open}. `}
      Answered questions are folded; open one to change your answer.
    </p>
  ) : null;
}

/** One question as the reader has it: their answer, their order of options, the results it opens. */
export function TopicPoll({ slug, settled }: { slug: string; settled?: boolean }) {
  const { polls, topic, signedIn } = useTopic();
  const poll = polls.find((p) => p.slug === slug);
  return poll ? <PollCard poll={poll} topicSlug={topic.slug} signedIn={signedIn} headingLevel={3} compact settled={settled} /> : null;
}

export function ClauseList() {
  const { clauses, topic } = useTopic();
  return (
    <ul className="clause-list">
      {clauses.map((c) => (
        <li key={c.slug}>
          <Link to={`/t/${topic.slug}/p/${c.pollSlug}`}>{c.title}</Link>{" "}
          <span className="muted small">
            {plural(c.voters, "answer")} · {plural(c.comments, "comment")}
            {c.answered ? " · you answered" : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
