import { Form, Link, useFetcher, useLocation } from "@remix-run/react";
import { isModerator } from "~/lib/visibility";
import { useEffect, useState } from "react";
import type { CommentNode } from "~/models/threads.server";
import type { ThreadView } from "~/models/pages.server";
import { LIMITS, plural } from "~/lib/format";
import { SORTS } from "~/lib/thread-params";
import { CommentForm, composeUrl, HELD_NOTICE } from "./CommentForm";
import { RelativeTime } from "./RelativeTime";
import { CommentItem, isNewToReader, usePageThread, type ThreadContext } from "./CommentItem";
import { Slot, useViewer } from "./Slot";
import { useHere } from "./useHere";

const SORT_LABEL = { best: "Best", top: "Top", new: "New", old: "Old", controversial: "Controversial" } as const;

type Props = { thread: ThreadView; count: number; title: string };

/** The pages after the first, fetched with JavaScript and kept below it until the thread changes. */
function useMoreComments(thread: ThreadView) {
  const more = useFetcher<{ thread: ThreadView }>();
  const [extra, setExtra] = useState<CommentNode[][]>([]);
  const [nextPage, setNextPage] = useState(thread.page + 1);
  const [hasMore, setHasMore] = useState(thread.hasMore);

  // A new sort, filter or revalidation starts over from the server's page.
  const first = thread.comments;
  useEffect(() => {
    setExtra([]);
    setNextPage(thread.page + 1);
    setHasMore(thread.hasMore);
  }, [first, thread.page, thread.hasMore]);

  useEffect(() => {
    if (more.state !== "idle" || !more.data) return;
    const page = more.data.thread;
    setExtra((e) => [...e, page.comments]);
    setNextPage(page.page + 1);
    setHasMore(page.hasMore);
  }, [more.state, more.data]);
  return { more, all: [first, ...extra].flat(), nextPage, hasMore };
}

/** A link to this page with some query parameters changed, landing at the discussion. */
function useThreadLink() {
  const location = useLocation();
  return (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) p.delete(k);
      else p.set(k, v);
    }
    for (const n of ["voted", "withdrawn", "reported"]) p.delete(n);
    const s = p.toString();
    return `${location.pathname}${s ? `?${s}` : ""}#discussion`;
  };
}

/** Sort links and the stance filter (a plain GET form). */
function ThreadControls({ thread, link }: { thread: ThreadView; link: ReturnType<typeof useThreadLink> }) {
  return (
    <>
      <nav aria-label="Sort comments" className="sorts">
        {SORTS.map((s) => (
          <Link key={s} to={link({ sort: s === "best" ? null : s, page: null })} aria-current={thread.sort === s ? "true" : undefined} preventScrollReset>
            {SORT_LABEL[s]}
          </Link>
        ))}
      </nav>
      {thread.stanceOptions.length ? (
        <Form method="get" className="stance-filter" preventScrollReset>
          {thread.sort !== "best" ? <input type="hidden" name="sort" value={thread.sort} /> : null}
          <label htmlFor="stance-filter">Show comments with the stance</label>{" "}
          <select id="stance-filter" name="stance" defaultValue={thread.stance ?? ""} key={thread.stance ?? ""}>
            <option value="">any stance</option>
            {thread.stanceOptions.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>{" "}
          <button type="submit" className="small secondary">Filter</button>
        </Form>
      ) : null}
    </>
  );
}

/** A moderator's lock or unlock, with a reason for the log. */
function LockForm({ thread, here }: { thread: ThreadView; here: string }) {
  return (
    <Form method="post" action="/admin/threads" className="inline-actions mod-lock">
      <input type="hidden" name="topic" value={thread.topicSlug} />
      {thread.pollSlug ? <input type="hidden" name="poll" value={thread.pollSlug} /> : null}
      <input type="hidden" name="redirectTo" value={here} />
      <label className="small">
        Reason <input name="reason" maxLength={LIMITS.reason} />
      </label>{" "}
      <button type="submit" name="intent" value={thread.locked ? "unlock" : "lock"} className="small secondary">
        {thread.locked ? "Unlock this thread" : "Lock this thread"}
      </button>
    </Form>
  );
}

/**
 * The reader's own part above the comments: a moderator's lock, "your
 * comment was posted", and where they add to the discussion. On a joined
 * page it is a slot, so the thread is the page's data as the reader has it.
 */
function ReaderCompose(props: { thread: ThreadView }) {
  const location = useLocation();
  const { user } = useViewer();
  const thread = usePageThread() ?? props.thread;
  const here = useHere();
  const postedParam = new URLSearchParams(location.search).get("posted");
  const posted = postedParam && /^\d{1,9}$/.test(postedParam) ? Number(postedParam) : null;
  return (
    <>
      {isModerator(user?.role) ? <LockForm thread={thread} here={here} /> : null}
      {posted && user ? (
        <p className="notice" role="status">
          Your comment was posted. <Link to={`/c/${posted}`}>See it in its thread</Link>.
        </p>
      ) : null}
      {user && thread.yourHeld.length ? <Waiting held={thread.yourHeld} justNow={location.search.includes("held=")} now={thread.now} /> : null}
      <Compose thread={thread} signedIn={!!user} />
    </>
  );
}

/** A new account's comments waiting for a moderator (issue 28): drawn for their author only, inside the reader's slot. */
function Waiting({ held, justNow, now }: { held: ThreadView["yourHeld"]; justNow: boolean; now: number }) {
  return (
    <section id="waiting" className="waiting" aria-labelledby="waiting-heading">
      {justNow ? (
        <p className="notice" role="status">
          {HELD_NOTICE}
        </p>
      ) : null}
      <h3 id="waiting-heading">Waiting for a moderator ({held.length})</h3>
      <ol className="comment-list">
        {held.map((c) => (
          <li key={c.id} className="comment waiting-comment" data-testid="waiting">
            <p className="muted small">
              Only you see this until a moderator accepts it · <RelativeTime ms={c.createdAt} now={now} />
            </p>
            <div className="comment-body" dangerouslySetInnerHTML={{ __html: c.bodyHtml }} />
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Where a reader adds to the discussion: the form, or why they cannot. */
function Compose({ thread, signedIn }: { thread: ThreadView; signedIn: boolean }) {
  const location = useLocation();
  if (thread.locked) return <p className="notice">This discussion is locked: no new comments.</p>;
  if (!signedIn) {
    return (
      <p>
        <Link to={`/login?redirectTo=${encodeURIComponent(location.pathname + "#discussion")}`}>Sign in</Link> to join the discussion.
      </p>
    );
  }
  return (
    <CommentForm
      formId={`new-${thread.pollSlug ?? "topic"}`}
      action={composeUrl(thread.topicSlug, thread.pollSlug, null, thread.sort)}
      intent="post"
      hidden={{}}
      label="Add to the discussion"
      submitLabel="Post comment"
      stanceOptions={thread.stanceOptions}
      yourAnswer={thread.yourAnswer}
    />
  );
}

/** "Load more": a plain link to the next page, fetched in place with JavaScript. */
function LoadMore({ href, more }: { href: string; more: ReturnType<typeof useMoreComments>["more"] }) {
  const location = useLocation();
  return (
    <p className="load-more">
      <a
        href={href}
        onClick={(e) => {
          e.preventDefault();
          const url = new URL(href, window.location.origin);
          if (location.pathname.split("/").length === 3) url.searchParams.set("index", "");
          more.load(url.pathname + url.search);
        }}
      >
        {more.state === "loading" ? "Loading…" : "Load more comments"}
      </a>
    </p>
  );
}

/**
 * Whether a reader's thread shows as the kept one outside its slots: not to
 * a moderator (who sees removed comments and the lock), not with comments
 * marked new on the reader's list items, and drawn in the same minute.
 */
export function threadJoinable(reader: { thread: ThreadView }, kept: { thread: ThreadView }, root: { user: { role: string } | null }): boolean {
  if (isModerator(root.user?.role) || reader.thread.now !== kept.thread.now) return false;
  const stack = [...reader.thread.comments];
  for (let c = stack.pop(); c; c = stack.pop()) {
    if (isNewToReader(c, reader.thread.newSince)) return false;
    stack.push(...c.children);
  }
  return true;
}

/** A discussion: sorting, stance filter, compose form, the tree and "load more". */
export function CommentThread({ thread, count, title }: Props) {
  const { more, all, nextPage, hasMore } = useMoreComments(thread);
  const link = useThreadLink();
  const here = useHere();
  const ctx: ThreadContext = {
    topicSlug: thread.topicSlug,
    pollSlug: thread.pollSlug,
    locked: thread.locked,
    now: thread.now,
    here,
    stanceOptions: thread.stanceOptions,
    yourAnswer: thread.yourAnswer,
    newSince: thread.newSince,
  };

  return (
    <section id="discussion" aria-labelledby="discussion-heading" className="discussion">
      <div className="section-head">
        <h2 id="discussion-heading">
          {title} <span className="muted count">({plural(count, "comment")})</span>
        </h2>
        <a href={`/t/${thread.topicSlug}/feed.xml`} className="feed-link">RSS feed</a>
      </div>
      <ThreadControls thread={thread} link={link} />
      <Slot id="compose">
        <ReaderCompose thread={thread} />
      </Slot>

      {all.length === 0 ? (
        <p className="muted">{thread.stance !== null ? "No comments with this stance yet." : "No comments yet. Start the discussion."}</p>
      ) : (
        <ol className="comment-list top">
          {all.map((c) => (
            <CommentItem key={c.id} c={c} ctx={ctx} />
          ))}
        </ol>
      )}
      {thread.page > 1 ? (
        <p className="load-more">
          <Link to={link({ page: null })}>← Back to the first page</Link>
        </p>
      ) : null}
      {hasMore ? <LoadMore href={link({ page: String(nextPage) })} more={more} /> : null}
    </section>
  );
}
