import { Link, useFetcher, useLoaderData, useLocation } from "@remix-run/react";
import { isModerator } from "~/lib/visibility";
import { useState, type ReactNode } from "react";
import type { CommentNode } from "~/models/threads.server";
import type { ThreadView } from "~/models/pages.server";
import { Slot, useViewer } from "./Slot";
import { LIMITS, plural } from "~/lib/format";
import { CommentForm, composeUrl } from "./CommentForm";
import { RelativeTime } from "./RelativeTime";
import { useHydrated } from "./useHydrated";

/** A thread as every reader sees it; what is the reader's own is read inside the comment's slot (ReaderContext). */
export type ThreadContext = {
  topicSlug: string;
  pollSlug: string | null;
  locked: boolean;
  now: number;
  /** Where plain form posts come back to. */
  here: string;
  stanceOptions: { id: number; label: string }[];
  yourAnswer: number | null;
  highlight?: number;
  /** Comments by others after this time are new to the reader (null: nothing is marked). */
  newSince?: number | null;
};
/** The thread as this reader has it: whether they are signed in, and their answer (useReaderComment). */
type ReaderContext = ThreadContext & { signedIn: boolean };

function VoteButtons({ c, ctx }: { c: CommentNode; ctx: ReaderContext }) {
  const fetcher = useFetcher<{ ok?: boolean; errors?: Record<string, string[]> }>({ key: `cv-${c.id}` });
  const hydrated = useHydrated();
  // Optimistic: apply the pending click to the score and the pressed state.
  let myVote = c.myVote;
  let score = c.score;
  const pending = fetcher.formData?.get("intent");
  if (pending === "up" || pending === "down") {
    const v = pending === "up" ? 1 : -1;
    const next = myVote === v ? 0 : v;
    score += next - myVote;
    myVote = next;
  }
  const canVote = ctx.signedIn && !c.mine && c.state === "live";
  if (c.state !== "live") return null;
  if (!canVote) {
    // Nothing to press: the score is text, and why you cannot vote is said, not greyed out.
    return (
      <span className="votes static">
        <span className="score">{plural(score, "point")}</span>
        {!ctx.signedIn ? (
          <Link to={`/login?redirectTo=${encodeURIComponent(`${ctx.here}#c-${c.id}`)}`} className="muted">
            Sign in to vote
          </Link>
        ) : null}
      </span>
    );
  }
  return (
    <fetcher.Form method="post" action={`/c/${c.id}`} className="votes">
      <input type="hidden" name="redirectTo" value={`${ctx.here}#c-${c.id}`} />
      {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
      <button type="submit" name="intent" value="up" className="vote up" aria-pressed={myVote === 1} aria-label="Upvote" title="Upvote">
        ▲
      </button>
      <span className="score">
        <span className="sr-only">Score </span>
        {score}
      </span>
      <button type="submit" name="intent" value="down" className="vote down" aria-pressed={myVote === -1} aria-label="Downvote" title="Downvote">
        ▼
      </button>
    </fetcher.Form>
  );
}

function DeleteForm({ c, ctx }: { c: CommentNode; ctx: ThreadContext }) {
  const fetcher = useFetcher({ key: `cd-${c.id}` });
  const hydrated = useHydrated();
  return (
    <details className="inline-details">
      <summary>Delete</summary>
      <fetcher.Form method="post" action={`/c/${c.id}`} className="confirm">
        <input type="hidden" name="redirectTo" value={`${ctx.here}#c-${c.id}`} />
        {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
        <span>Delete this comment? Replies stay.</span>{" "}
        <button type="submit" name="intent" value="delete" className="small danger" disabled={fetcher.state !== "idle"}>
          Delete
        </button>
      </fetcher.Form>
    </details>
  );
}

/** A small form posting one intent (and an optional reason) to the comment. */
function CommentAction({ c, ctx, intent, summary, button, withReason, danger }: { c: CommentNode; ctx: ThreadContext; intent: string; summary: string; button: string; withReason: string | null; danger?: boolean }) {
  const fetcher = useFetcher<{ ok?: boolean; errors?: Record<string, string[]> }>({ key: `c${intent}-${c.id}` });
  const hydrated = useHydrated();
  const errors = fetcher.data?.errors ? Object.values(fetcher.data.errors).flat().join(" ") : null;
  const location = useLocation();
  const reported = intent === "report" && (fetcher.data?.ok || new URLSearchParams(location.search).get("reported") === String(c.id));
  // Once sent, the form is gone: only the thanks stays.
  if (reported) {
    return (
      <span role="status" className="muted">
        Reported. Thanks: a moderator will look at it.
      </span>
    );
  }
  return (
    <details className="inline-details">
      <summary>{summary}</summary>
      <fetcher.Form method="post" action={`/c/${c.id}`} className="confirm">
        <input type="hidden" name="redirectTo" value={`${ctx.here}#c-${c.id}`} />
        {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
        {withReason !== null ? (
          <label>
            {withReason} <input name="reason" maxLength={LIMITS.reason} required={intent === "report"} />
          </label>
        ) : null}{" "}
        <button type="submit" name="intent" value={intent} className={danger ? "small danger" : "small secondary"} disabled={fetcher.state !== "idle"}>
          {button}
        </button>
        {errors ? <span className="field-error" role="alert"> {errors}</span> : null}
      </fetcher.Form>
    </details>
  );
}

/** Who wrote it, when, its stance, and whether it is new or edited. */
function CommentHead({ c, ctx, isNew }: { c: CommentNode; ctx: ThreadContext; isNew: boolean }) {
  const live = c.state === "live";
  return (
    <header className="comment-head">
      {live && c.author ? (
        <Link to={`/u/${c.author}`} className="author">
          {c.author}
        </Link>
      ) : null}
      {isNew ? <span className="badge new-badge">new</span> : null}
      {c.stance ? (
        <a className="badge stance" href={`?stance=${c.stance.id}`} title="Filter the thread by this stance">
          {c.stance.label}
        </a>
      ) : null}
      <Link to={`/c/${c.id}`} className="muted permalink">
        <RelativeTime ms={c.createdAt} now={ctx.now} />
      </Link>
      {c.editedAt ? (
        <Link to={`/c/${c.id}?history=1`} className="muted edited">
          edited <RelativeTime ms={c.editedAt} now={ctx.now} />
        </Link>
      ) : null}
    </header>
  );
}

/**
 * A form folded in a <details>: without JavaScript it is in the page; with
 * it, drawn only once opened, and folded again when it is done.
 */
function Folded({ summary, children }: { summary: string; children: (close: () => void) => ReactNode }) {
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  return (
    <details className="inline-details" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {hydrated && !open ? null : children(() => setOpen(false))}
    </details>
  );
}

/** The page's thread as its loader drew it (the topic's and a poll's pages; a comment's own page holds no tree). */
export function usePageThread(): ThreadView | undefined {
  const thread = (useLoaderData() as { thread?: Partial<ThreadView> } | undefined)?.thread;
  return thread && Array.isArray(thread.comments) ? (thread as ThreadView) : undefined;
}

const indexes = new WeakMap<object, Map<number, CommentNode>>();
/** Every comment the page's loader drew, by id: a thread's trees, or a comment's own page's comment and its replies. */
function usePageComments(): Map<number, CommentNode> | undefined {
  const data = useLoaderData() as { thread?: Partial<ThreadView>; comment?: Partial<CommentNode> } | undefined;
  const thread = usePageThread();
  const roots = thread ? thread.comments : data?.comment && Array.isArray(data.comment.children) ? [data.comment as CommentNode] : null;
  if (!data || !roots) return undefined;
  let index = indexes.get(data);
  if (!index) {
    index = new Map();
    const stack = [...roots];
    for (let c = stack.pop(); c; c = stack.pop()) {
      index.set(c.id, c);
      stack.push(...c.children);
    }
    indexes.set(data, index);
  }
  return index;
}

/**
 * A comment and its thread's context as this reader has them. On a joined
 * page the props were drawn for no one, so what is the reader's (their vote,
 * whether it is theirs, their answer, whether they are signed in) is read
 * from the page's data; a comment not in it (a page loaded later) is the prop.
 */
function useReaderComment(c: CommentNode, ctx: ThreadContext): { c: CommentNode; ctx: ReaderContext; moderates: boolean } {
  const { user } = useViewer();
  const thread = usePageThread();
  return {
    c: usePageComments()?.get(c.id) ?? c,
    ctx: { ...ctx, signedIn: !!user, yourAnswer: thread ? thread.yourAnswer : ctx.yourAnswer },
    moderates: isModerator(user?.role),
  };
}

/** Whether a comment is marked new for its reader. */
export const isNewToReader = (c: CommentNode, newSince: number | null | undefined) =>
  c.state === "live" && !c.mine && newSince != null && c.createdAt > newSince;

/** Everything a reader may do to a comment: vote, reply, edit, delete, report, moderate. */
function CommentActions(props: { c: CommentNode; ctx: ThreadContext }) {
  const { c, ctx, moderates } = useReaderComment(props.c, props.ctx);
  const live = c.state === "live";
  return (
    <footer className="comment-actions">
      <VoteButtons c={c} ctx={ctx} />
      {ctx.signedIn && live && !ctx.locked ? (
        <Folded summary="Reply">
          {(close) => (
            <CommentForm
              formId={`reply-${c.id}`}
              action={composeUrl(ctx.topicSlug, ctx.pollSlug, c.id)}
              intent="post"
              hidden={{}}
              label={`Reply to ${c.author}`}
              submitLabel="Reply"
              stanceOptions={ctx.stanceOptions}
              yourAnswer={ctx.yourAnswer}
              onDone={close}
            />
          )}
        </Folded>
      ) : null}
      {c.mine && c.bodyMd !== null ? (
        <>
          <Folded summary="Edit">
            {(close) => (
              <CommentForm formId={`edit-${c.id}`} action={`/c/${c.id}`} intent="edit" hidden={{ redirectTo: ctx.here }} label="Edit your comment" submitLabel="Save" defaultBody={c.bodyMd ?? ""} onDone={close} />
            )}
          </Folded>
          <DeleteForm c={c} ctx={ctx} />
        </>
      ) : null}
      {ctx.signedIn && live && !c.mine ? <CommentAction c={c} ctx={ctx} intent="report" summary="Report" button="Send report" withReason="What is wrong?" /> : null}
      {moderates && c.state === "live" ? <CommentAction c={c} ctx={ctx} intent="remove" summary="Remove" button="Remove comment" withReason="Reason" danger /> : null}
      {moderates && c.state === "removed" ? <CommentAction c={c} ctx={ctx} intent="restore" summary="Restore" button="Restore comment" withReason="Reason" /> : null}
    </footer>
  );
}

/** The replies below a comment, or a link to where they continue. */
function Replies({ c, ctx }: { c: CommentNode; ctx: ThreadContext }) {
  if (c.children.length) {
    return (
      <details className="replies" open>
        <summary>
          <span className="when-open">Hide {plural(c.replyCount, "reply", "replies")}</span>
          <span className="when-closed">Show {plural(c.replyCount, "hidden reply", "hidden replies")}</span>
        </summary>
        <ol className="comment-list">
          {c.children.map((child) => (
            <CommentItem key={child.id} c={child} ctx={ctx} />
          ))}
        </ol>
        {c.hiddenReplies > 0 ? (
          <p className="more">
            <Link to={`/c/${c.id}`}>{plural(c.hiddenReplies, "more reply", "more replies")}</Link>
          </p>
        ) : null}
      </details>
    );
  }
  if (c.continues) {
    return (
      <p className="more">
        <Link to={`/c/${c.id}`}>Continue this thread ({plural(c.replyCount, "reply", "replies")}) →</Link>
      </p>
    );
  }
  return c.hiddenReplies > 0 ? (
    <p className="more">
      <Link to={`/c/${c.id}`}>{plural(c.hiddenReplies, "more reply", "more replies")}</Link>
    </p>
  ) : null;
}

const GONE = { reports: "[hidden after members' reports: a moderator will decide]", review: "[waiting for a moderator]", moderator: "[removed by a moderator]" };

export function CommentItem({ c, ctx }: { c: CommentNode; ctx: ThreadContext }) {
  const live = c.state === "live";
  const isNew = isNewToReader(c, ctx.newSince);
  return (
    <li id={`c-${c.id}`} className={`comment${ctx.highlight === c.id ? " highlight" : ""}${isNew ? " new" : ""}`}>
      <article aria-label={live ? `Comment by ${c.author}` : "Deleted comment"}>
        <CommentHead c={c} ctx={ctx} isNew={isNew} />
        {live ? (
          <div className="comment-body" dangerouslySetInnerHTML={{ __html: c.bodyHtml }} />
        ) : (
          <p className="comment-body gone">{c.state === "removed" ? GONE[c.held || "moderator"] : "[deleted]"}</p>
        )}
        <Slot id={`actions-${c.id}`}>
          <CommentActions c={c} ctx={ctx} />
        </Slot>
      </article>
      <Replies c={c} ctx={ctx} />
    </li>
  );
}
