import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { CommentForm, composeUrl } from "~/components/CommentForm";
import { keepRetryAfter } from "~/lib/headers";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { postComment } from "~/models/comments.server";
import { getComposeContext } from "~/models/pages.server";
import { newCommentSchema } from "~/forms/discussion.server";
import { failureReply, formDone, formReply, invariantResponse } from "~/lib/http.server";
import { SORTS } from "~/lib/thread-params";

// Where comment forms post. With JavaScript the thread's fetchers get JSON;
// without it, errors and previews render here with the text kept.

export const meta: MetaFunction = () => [{ title: "Write a comment — Pulse" }];

export const headers = keepRetryAfter;

function num(v: unknown): number | undefined {
  return typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

export async function loader(args: LoaderFunctionArgs) {
  requireUser(args);
  const url = new URL(args.request.url);
  const ctx = await getComposeContext(args.params.topic ?? "", url.searchParams.get("poll") ?? undefined, num(url.searchParams.get("parent")));
  invariantResponse(ctx, "Thread not found");
  return ctx;
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const url = new URL(args.request.url);
  const raw = formToObject(await readForm(args.request));
  // The thread is named in the URL, so a re-rendered form (400, preview) keeps it.
  const ctx = await getComposeContext(args.params.topic ?? "", url.searchParams.get("poll") ?? undefined, num(url.searchParams.get("parent")));
  invariantResponse(ctx, "Thread not found");
  const values = { body: typeof raw.body === "string" ? raw.body : "", stance: typeof raw.stance === "string" ? raw.stance : "" };
  const parsed = parseForm(newCommentSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, values);
  const { intent, body, stance, via } = parsed.data;
  if (intent === "preview") return formDone({ preview: renderMarkdown(body) }, { values });

  const result = await postComment({
    userId: user.id,
    topicId: ctx.topic.id,
    pollId: ctx.poll?.id ?? null,
    parentId: ctx.parentId,
    body,
    stanceOptionId: typeof stance === "number" ? stance : null,
  });
  if (!result.ok) return failureReply(result, values);
  if (via === "fetcher") return formDone({ id: result.id, held: result.held });
  const thread = ctx.poll ? `/t/${ctx.topic.slug}/p/${ctx.poll.slug}` : `/t/${ctx.topic.slug}`;
  // Waiting for a moderator: back to the thread, where its author alone sees it listed.
  if (result.held) return redirect(`${thread}?held=${result.id}#waiting`);
  if (ctx.parentId !== null) return redirect(`/c/${ctx.parentId}#c-${result.id}`);
  // Back to the thread as the reader sorted it, with a confirmation that links to the new comment wherever it sorts.
  const sort = url.searchParams.get("sort");
  const keep = sort && sort !== "best" && (SORTS as readonly string[]).includes(sort) ? `sort=${sort}&` : "";
  return redirect(`${thread}?${keep}posted=${result.id}#c-${result.id}`);
}

export default function Compose() {
  const { topic, poll, parent, parentMissing } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const thread = poll ? `/t/${topic.slug}/p/${poll.slug}` : `/t/${topic.slug}`;
  return (
    <section>
      <p className="crumbs">
        <Link to={thread}>← {poll ? poll.question : topic.title}</Link>
      </p>
      <h1>{parent ? "Reply to a comment" : "Write a comment"}</h1>
      {parentMissing ? <p className="form-error">That comment was deleted; you cannot reply to it.</p> : null}
      {parent ? <blockquote className="comment-body quoted" dangerouslySetInnerHTML={{ __html: parent.bodyHtml }} /> : null}
      {topic.locked ? (
        <p className="notice">This discussion is locked: no new comments.</p>
      ) : (
        <CommentForm
          formId="compose"
          action={composeUrl(topic.slug, poll?.slug ?? null, parent?.id ?? null)}
          intent="post"
          hidden={{}}
          label={parent ? "Your reply" : "Your comment"}
          submitLabel={parent ? "Reply" : "Post comment"}
          stanceOptions={poll?.options}
          result={result ?? null}
        />
      )}
    </section>
  );
}
