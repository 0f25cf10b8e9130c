import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { UserRow } from "~/components/admin/UserRow";
import { requireRole } from "~/auth/guards.server";
import { DoneNotice } from "~/components/admin/DoneNotice";
import { parseForm, readForm } from "~/lib/form.server";
import { formatDateTime, LIMITS } from "~/lib/format";
import { issueResetLink } from "~/models/recovery.server";
import { banUser, changeRole, listUsers, unbanUser } from "~/models/users.server";
import { setTrusted } from "~/models/review.server";
import { usersActionSchema } from "~/forms/admin.server";
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
        : d.intent === "trust" || d.intent === "untrust"
          ? await setTrusted(me.id, d.user, d.intent === "trust", d.reason)
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
  const DONE: Record<string, string> = { ban: "is banned: their sessions ended.", unban: "is no longer banned.", role: "has a new role.", trust: "is trusted: nothing of theirs is held.", untrust: "is a member again." };
  const done = who && DONE[params.get("done") ?? ""] ? `${who} ${DONE[params.get("done")!]}` : null;
  return (
    <section>
      <h1>Users</h1>
      <DoneNotice done={done} />
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
          Find <input name="q" defaultValue={q} maxLength={LIMITS.signInName} />
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
            <UserRow key={u.id} u={u} myRole={myRole} myId={myId} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
