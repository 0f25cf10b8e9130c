import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { DoneNotice } from "~/components/admin/DoneNotice";
import { parseForm, readForm } from "~/lib/form.server";
import { formatDateTime, LIMITS } from "~/lib/format";
import { handleReport, listOpenReports } from "~/models/reports.server";
import { decideHeldComment, listHeldComments } from "~/models/review.server";
import { HeldQueue } from "~/components/admin/HeldQueue";
import { reportsActionSchema } from "~/forms/admin.server";
import { failureReply, formReply } from "~/lib/http.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "moderator");
  return { reports: await listOpenReports(), held: await listHeldComments() };
}

export async function action(args: ActionFunctionArgs) {
  const mod = requireRole(args, "moderator");
  const parsed = parseForm(reportsActionSchema, await readForm(args.request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const d = parsed.data;
  const res = "report" in d ? await handleReport(mod.id, d.report, d.intent, d.reason) : await decideHeldComment(mod, d.comment, d.intent, d.reason);
  if (!res.ok) return failureReply(res);
  // Back to the queue, saying what was done (issue 23).
  return redirect(`/admin/reports?done=${d.intent}`);
}

export default function Reports() {
  const { reports, held } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const done = (
    {
      dismiss: "Report dismissed: the comment stays.",
      remove: "Comment removed, and its reporters told.",
      accept: "Comment accepted: it is in its thread now.",
      reject: "Comment rejected: it stays out.",
      reject_ban: "Comment rejected and its author banned.",
    } as Record<string, string>
  )[useSearchParams()[0].get("done") ?? ""];
  return (
    <section>
      <h1>Reports and review</h1>
      <DoneNotice done={done} />
      {data?.errors ? <p className="form-error" role="alert">{Object.values(data.errors).flat().join(" ")}</p> : null}
      <HeldQueue held={held} />
      <h2>Reports</h2>
      {reports.length === 0 ? <p className="muted">Nothing to review.</p> : null}
      <ol className="report-list">
        {reports.map((r) => (
          <li key={r.id} className="card" data-testid="report">
            <p className="muted">
              Reported by {r.reporter} {formatDateTime(r.created_at)} ({r.report_count} open report{r.report_count === 1 ? "" : "s"} on this comment): <strong>{r.reason}</strong>
            </p>
            {r.removed_at !== null ? <p className="notice">Hidden by members&apos; reports until you decide: dismissing brings it back, removing keeps it out.</p> : null}
            <blockquote className="comment-body quoted" dangerouslySetInnerHTML={{ __html: r.body_html }} />
            <p className="muted">
              By <Link to={`/admin/users?q=${encodeURIComponent(r.author)}`}>{r.author}</Link>
              {r.author_banned ? " (banned)" : ""} · <Link to={`/c/${r.comment_id}`}>in context</Link> · thread: {r.poll_slug ? `/t/${r.topic_slug}/p/${r.poll_slug}` : `/t/${r.topic_slug}`}
            </p>
            <Form method="post" className="inline-actions">
              <input type="hidden" name="report" value={r.id} />
              <label>
                Note <input name="reason" maxLength={LIMITS.reason} />
              </label>{" "}
              <button type="submit" name="intent" value="dismiss" className="small secondary">Dismiss</button>{" "}
              {/* Removing is asked for twice: open, then confirm. */}
              <details className="confirm">
                <summary className="small">Remove…</summary>
                <button type="submit" name="intent" value="remove" className="small danger">Remove comment</button>
              </details>
            </Form>
          </li>
        ))}
      </ol>
    </section>
  );
}
