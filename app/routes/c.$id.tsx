import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { requireRole, requireUser } from "~/auth/guards.server";
import { CommentForm } from "~/components/CommentForm";
import { CommentItem, type ThreadContext } from "~/components/CommentItem";
import { EditHistory } from "~/components/EditHistory";
import type { JoinHandle } from "~/components/Slot";
import { isModerator } from "~/lib/visibility";
import { pageClock } from "~/lib/format";
import { formToObject, parseForm, readForm, safeRedirect } from "~/lib/form.server";
import { failureReply, failureResponse, formDone, formReply, invariantResponse, withParams } from "~/lib/http.server";
import { threadParams } from "~/lib/thread-params";
import { deleteComment, editComment, removeComment, restoreComment, voteOnComment } from "~/models/comments.server";
import { getRevisions } from "~/models/threads.server";
import { getCommentPage } from "~/models/pages.server";
import { reportComment } from "~/models/reports.server";
import { commentActionSchema, moderateCommentSchema, reportSchema } from "~/forms/discussion.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `Comment in ${data.thread.pollQuestion ?? data.thread.topicTitle} — Pulse` }] : [{ title: "Not found — Pulse" }];

function commentId(raw: string | undefined): number {
  invariantResponse(raw && /^\d{1,9}$/.test(raw), "Comment not found");
  return Number(raw);
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const user = context.auth.user;
  const page = await getCommentPage(commentId(params.id), user, threadParams(url).sort);
  invariantResponse(page, "Comment not found");
  const history = url.searchParams.has("history") && page.comment.state === "live" ? await getRevisions(page.comment.id) : null;
  return { ...page, history, signedIn: !!user, now: pageClock() };
}

/**
 * Signed-in readers get the kept page with their slots (the comment's and its
 * replies' actions) drawn for them (docs/decisions/028); not moderators, who
 * see removed replies, nor a reader drawn in another minute than the kept page.
 */
export const handle: JoinHandle = {
  joinable: (reader: { now: number }, kept: { now: number }, root) => !isModerator(root.user?.role) && reader.now === kept.now,
};

/** Members edit, delete, vote and report; moderators also remove and restore. */
async function perform(args: ActionFunctionArgs, id: number, raw: Record<string, string | string[]>) {
  const user = requireUser(args);
  if (raw.intent === "report") {
    const p = parseForm(reportSchema, raw);
    return p.ok ? { input: p.data, result: await reportComment(user.id, id, p.data.reason) } : { errors: p.errors };
  }
  if (raw.intent === "remove" || raw.intent === "restore") {
    const mod = requireRole(args, "moderator");
    const p = parseForm(moderateCommentSchema, raw);
    if (!p.ok) return { errors: p.errors };
    const result = p.data.intent === "remove" ? await removeComment(mod.id, id, p.data.reason) : await restoreComment(mod.id, id, p.data.reason);
    return { input: p.data, result };
  }
  const p = parseForm(commentActionSchema, raw);
  if (!p.ok) return { errors: p.errors };
  const input = p.data;
  const result =
    input.intent === "edit"
      ? await editComment(user.id, id, input.body)
      : input.intent === "delete"
        ? await deleteComment(user.id, id)
        : await voteOnComment(user.id, id, input.intent === "up" ? 1 : -1);
  return { input, result };
}

export async function action(args: ActionFunctionArgs) {
  const id = commentId(args.params.id);
  const raw = formToObject(await readForm(args.request));
  const values = { body: typeof raw.body === "string" ? raw.body : "" };
  const done = await perform(args, id, raw);
  if ("errors" in done) return formReply(done.errors ?? {}, values);
  const { input, result } = done;
  if (!result.ok) {
    if (result.code === "not_found") failureResponse(result);
    return failureReply(result, values);
  }
  if (input.via === "fetcher") return formDone({});
  const back = safeRedirect(input.redirectTo, `/c/${id}`).split("#")[0];
  // Without JavaScript the thank-you for a report travels in the URL.
  return redirect(input.intent === "report" ? withParams(back, { reported: String(id) }, `c-${id}`) : `${back}#c-${id}`);
}

export default function CommentPage() {
  const { comment, ancestors, thread, history, now, locked, stanceOptions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const location = useLocation();
  const threadUrl = thread.pollSlug ? `/t/${thread.topicSlug}/p/${thread.pollSlug}` : `/t/${thread.topicSlug}`;
  const ctx: ThreadContext = {
    topicSlug: thread.topicSlug,
    pollSlug: thread.pollSlug,
    locked,
    now,
    here: location.pathname,
    stanceOptions,
    yourAnswer: null,
    highlight: comment.id,
  };
  return (
    <article>
      <p className="crumbs">
        <Link to={threadUrl}>← {thread.pollQuestion ?? thread.topicTitle}</Link>
      </p>
      <h1 className="sr-only">Comment {comment.id}</h1>
      {result?.ok === false ? (
        <p className="form-error" role="alert">{Object.values(result.errors).flat().join(" ")}</p>
      ) : null}
      {ancestors.length ? (
        <ol className="ancestors" aria-label="Earlier in this thread">
          {ancestors.map((a) => (
            <li key={a.id}>
              {a.author ? (
                <>
                  <Link to={`/c/${a.id}`}>{a.author}</Link> <span className="muted excerpt">{a.excerpt}</span>
                </>
              ) : (
                // A deleted or removed ancestor says so once, and still links to its place in the thread.
                <Link to={`/c/${a.id}`} className="muted">
                  {a.excerpt || "[deleted]"}
                </Link>
              )}
            </li>
          ))}
        </ol>
      ) : null}
      <ol className="comment-list top">
        <CommentItem c={comment} ctx={ctx} />
      </ol>
      {comment.mine && comment.bodyMd !== null && result?.ok === false ? (
        <CommentForm formId="edit-page" action={`/c/${comment.id}`} intent="edit" hidden={{}} label="Edit your comment" submitLabel="Save" defaultBody={comment.bodyMd} result={result} />
      ) : null}
      {history ? <EditHistory history={history} now={now} /> : null}
    </article>
  );
}
