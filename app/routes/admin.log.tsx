import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { formatDateTime } from "~/lib/format";
import { listLog } from "~/models/moderation-log.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "moderator");
  const before = new URL(args.request.url).searchParams.get("before");
  const entries = await listLog(100, before && /^\d{1,12}$/.test(before) ? Number(before) : null);
  return { entries };
}

const ACTIONS: Record<string, string> = {
  "comment.remove": "removed a comment",
  "comment.restore": "restored a comment",
  "comment.hide_reports": "hid, after members' reports,",
  "comment.accept": "accepted from review",
  "comment.reject": "rejected from review",
  "user.trust": "trusted",
  "statement.accept": "accepted the statement",
  "statement.hide": "hid the statement",
  "statement.seed": "added the seed statement",
  "topic.statements": "set how statements are moderated on",
  "user.untrust": "took trust back from",
  "report.dismiss": "dismissed a report",
  "user.ban": "banned",
  "user.unban": "unbanned",
  "user.role": "changed the role of",
  "poll.create": "created the poll",
  "poll.edit": "edited the poll",
  "poll.close": "closed the poll",
  "poll.reopen": "reopened the poll",
  "poll.resolve": "resolved the prediction",
  "poll.unresolve": "undid the resolution of",
  "poll.hide_results": "held back the results of",
  "poll.reveal_results": "revealed the results of",
  "topic.create": "created the topic",
  "topic.edit": "edited the topic",
  "thread.lock": "locked the thread of",
  "thread.unlock": "unlocked the thread of",
  "rules.edit": "edited the rules",
  "user.reset_link": "issued a password reset link for",
};

type Entry = ReturnType<typeof useLoaderData<typeof loader>>["entries"][number];

function Target({ e }: { e: Entry }) {
  const name = e.targetName ?? `${e.targetType} ${e.targetId}`;
  if (e.targetType === "comment") return <Link to={`/c/${e.targetId}`}>comment {e.targetId}</Link>;
  if (e.targetType === "poll") return <Link to={`/admin/polls/${e.targetId}`}>{name}</Link>;
  if (e.targetType === "user") return <strong>{name}</strong>;
  if (e.targetType === "site") return null;
  return <span>{name}</span>;
}

export default function Log() {
  const { entries } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Moderation log</h1>
      {entries.length === 0 ? <p className="muted">Nothing has been logged yet.</p> : null}
      <table className="plain stacked log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What happened</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="log-entry">
              <td data-label="When">{formatDateTime(e.createdAt)}</td>
              <td data-label="What happened">
                <strong>{e.actor ?? "system"}</strong> {ACTIONS[e.action] ?? e.action} <Target e={e} />
                {e.details.length ? (
                  <span className="log-details">
                    {e.details.map((d) => (
                      <span key={d.label}>
                        {d.label}: {d.value}
                      </span>
                    ))}
                  </span>
                ) : null}
              </td>
              <td data-label="Why">{e.reason ?? <span className="muted">no reason given</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 100 ? <Link to={`?before=${entries[entries.length - 1].id}`}>Older entries →</Link> : null}
    </section>
  );
}
