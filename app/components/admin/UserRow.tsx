import { Form } from "@remix-run/react";
import { formatDate, LIMITS } from "~/lib/format";

/** What the list shows of a person. */
export type Row = { id: string; username: string; role: string; createdAt: number; banned: boolean; trustLevel: string };

/** A member's trust level (issue 28): new and member are earned; a moderator may trust someone, or take it back. */
function TrustForm({ u }: { u: Row }) {
  return (
    <Form method="post" className="inline-actions">
      <input type="hidden" name="user" value={u.id} />
      <span className="muted small">
        trust: <span data-testid={`trust-${u.username}`}>{u.trustLevel}</span>
      </span>{" "}
      {u.trustLevel === "trusted" ? (
        <button type="submit" name="intent" value="untrust" className="small secondary">
          Untrust {u.username}
        </button>
      ) : (
        <button type="submit" name="intent" value="trust" className="small secondary">
          Trust {u.username}
        </button>
      )}
    </Form>
  );
}

/** One person: their role (admins change it), ban or unban with a reason, and a reset link. */
export function UserRow({ u, myRole, myId }: { u: Row; myRole: string; myId: string }) {
  return (
    <tr data-testid={`user-${u.username}`}>
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
        {u.role === "member" ? <TrustForm u={u} /> : null}
      </td>
      <td data-label="Status">
        {u.id === myId ? (
          "you"
        ) : (
          <Form method="post" className="inline-actions">
            <input type="hidden" name="user" value={u.id} />
            <input name="reason" placeholder="Reason" aria-label={`Reason for ${u.username}`} maxLength={LIMITS.reason} />{" "}
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
  );
}
