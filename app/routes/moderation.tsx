import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { moderationStats } from "~/models/moderation-log.server";
import { REPORTS_TO_HIDE } from "~/models/reports.server";

export const meta: MetaFunction = () => [{ title: "Moderation — Pulse" }];

export async function loader() {
  return { months: await moderationStats(), reportsToHide: REPORTS_TO_HIDE };
}

export default function Moderation() {
  const { months, reportsToHide } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Moderation</h1>
      <p>Moderators remove comments that break <Link to="/rules">the rules</Link> and ban accounts that keep doing so. Every action is logged; here are the totals by month, without names.</p>
      <p>Members can report a comment. When {reportsToHide} members have reported one, it is hidden from everyone until a moderator decides: keep it, or remove it.</p>
      {months.length === 0 ? (
        <p className="muted">No removals or bans yet.</p>
      ) : (
        <table className="numbers">
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Comments removed</th>
              <th scope="col">Accounts banned</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <th scope="row">{m.month}</th>
                <td>{m.removals}</td>
                <td>{m.bans}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
