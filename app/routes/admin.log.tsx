import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { formatDateTime } from "~/lib/format";
import { listLog } from "~/models/reports.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "moderator");
  const before = new URL(args.request.url).searchParams.get("before");
  const entries = await listLog(100, before && /^\d{1,12}$/.test(before) ? Number(before) : null);
  return { entries };
}

export default function Log() {
  const { entries } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Moderation log</h1>
      <table className="numbers log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Target</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="log-entry">
              <td>{formatDateTime(e.created_at)}</td>
              <td>{e.actor ?? "system"}</td>
              <td>{e.action}</td>
              <td>
                {e.target_type === "comment" ? <Link to={`/c/${e.target_id}`}>comment {e.target_id}</Link> : `${e.target_type} ${e.target_id}`}
                {e.details ? <span className="muted small"> {e.details}</span> : null}
              </td>
              <td>{e.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 100 ? <Link to={`?before=${entries[entries.length - 1].id}`}>Older entries →</Link> : null}
    </section>
  );
}
