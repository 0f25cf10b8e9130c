import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { parseForm, readForm } from "~/lib/form.server";
import { formatDate, formatDateTime } from "~/lib/format";
import { issueResetLink } from "~/models/recovery.server";
import { banUser, changeRole, listUsers, unbanUser } from "~/models/users.server";
import { usersActionSchema } from "~/models/validation.server";
import { failureReply, formDone, formReply, invariantResponse } from "~/lib/http.server";

export async function loader(args: LoaderFunctionArgs) {
  const me = requireRole(args, "moderator");
  const q = new URL(args.request.url).searchParams.get("q") ?? "";
  return { users: await listUsers(q.slice(0, 64)), q, myRole: me.role, myId: me.id };
}

export async function action(args: ActionFunctionArgs) {
  const me = requireRole(args, "moderator");
  const parsed = parseForm(usersActionSchema, await readForm(args.request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const d = parsed.data;
  invariantResponse(d.intent !== "role" || me.role === "admin", "Only admins change roles.", 403);
  if (d.intent === "reset-link") {
    invariantResponse(me.role === "admin", "Only admins issue reset links.", 403);
    const link = await issueResetLink(me.id, d.user);
    if (!link.ok) return failureReply(link);
    // Shown once, here: only its digest is stored. The origin is PUBLIC_ORIGIN (server.ts builds every Request from it).
    const url = `${new URL(args.request.url).origin}/reset/${link.token}`;
    return formDone({ resetLink: { username: link.username, url, expiresAt: link.expiresAt } });
  }
  const res =
    d.intent === "role"
      ? await changeRole(me.id, d.user, d.role, d.reason)
      : d.intent === "ban"
        ? await banUser(me, d.user, d.reason, d.withdrawBallots)
        : await unbanUser(me, d.user, d.reason);
  if (!res.ok) return failureReply(res);
  // Back to the list, saying what was done (issue 23).
  const back = new URL(args.request.url);
  back.searchParams.set("done", d.intent);
  back.searchParams.set("who", d.user);
  return redirect(back.pathname + back.search);
}

export default function Users() {
  const { users, q, myRole, myId } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const reset = data && "resetLink" in data ? data.resetLink : null;
  const [params] = useSearchParams();
  const who = users.find((u) => u.id === params.get("who"))?.username;
  const DONE: Record<string, string> = { ban: "is banned: their sessions ended.", unban: "is no longer banned.", role: "has a new role." };
  const done = who && DONE[params.get("done") ?? ""] ? `${who} ${DONE[params.get("done")!]}` : null;
  return (
    <section>
      <h1>Users</h1>
      {done ? (
        <p className="notice" role="status">
          {done} It is in the <Link to="/admin/log">moderation log</Link>.
        </p>
      ) : null}
      {reset ? (
        <div className="notice" role="status">
          <p>
            A one-time reset link for <strong>{reset.username}</strong>, valid until {formatDateTime(reset.expiresAt)}. Give it to them privately; it is shown only now.
          </p>
          <p>
            <code data-testid="reset-link" className="break">{reset.url}</code>
          </p>
        </div>
      ) : null}
      <Form method="get" className="inline-actions">
        <label>
          Find <input name="q" defaultValue={q} maxLength={64} />
        </label>{" "}
        <button type="submit" className="small secondary">Search</button>
      </Form>
      {data?.ok === false ? <p className="form-error" role="alert">{Object.values(data.errors).flat().join(" ")}</p> : null}
      <table className="plain stacked users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Joined</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-${u.username}`}>
              <th scope="row">{u.username}</th>
              <td data-label="Joined">{formatDate(u.createdAt)}</td>
              <td data-label="Role">
                {myRole === "admin" && u.id !== myId ? (
                  <Form method="post" className="inline-actions">
                    <input type="hidden" name="user" value={u.id} />
                    <select name="role" defaultValue={u.role} aria-label={`Role of ${u.username}`}>
                      <option value="member">member</option>
                      <option value="moderator">moderator</option>
                      <option value="admin">admin</option>
                    </select>{" "}
                    <button type="submit" name="intent" value="role" className="small secondary">Set role</button>
                  </Form>
                ) : (
                  u.role
                )}
              </td>
              <td data-label="Status">
                {u.id === myId ? (
                  "you"
                ) : (
                  <Form method="post" className="inline-actions">
                    <input type="hidden" name="user" value={u.id} />
                    <input name="reason" placeholder="Reason" aria-label={`Reason for ${u.username}`} maxLength={500} />{" "}
                    {u.banned ? (
                      <>
                        <span className="badge">banned</span>{" "}
                        <button type="submit" name="intent" value="unban" className="small secondary">Unban</button>
                      </>
                    ) : (
                      // A ban is asked for twice: open, then confirm (with or without JavaScript).
                      <details className="confirm">
                        <summary className="small">Ban…</summary>
                        <label className="small">
                          <input type="checkbox" name="withdrawBallots" /> withdraw votes
                        </label>{" "}
                        <button type="submit" name="intent" value="ban" className="small danger">Ban {u.username}</button>
                      </details>
                    )}
                  </Form>
                )}
                {myRole === "admin" && u.id !== myId ? (
                  <Form method="post" className="inline-actions">
                    <input type="hidden" name="user" value={u.id} />
                    <button type="submit" name="intent" value="reset-link" className="small secondary">
                      Reset link for {u.username}
                    </button>
                  </Form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
