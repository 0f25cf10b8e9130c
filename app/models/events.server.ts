import { EventEmitter } from "node:events";
import { engine, listen, pgPool } from "../../db/client";

// Notifications that results changed; the results stream listens.
// On SQLite (one process) they stay in the process. On PostgreSQL every
// instance LISTENs on one channel and a change is announced with NOTIFY, so a
// vote on one instance reaches streams held open on all of them.
export const events = new EventEmitter().setMaxListeners(0);

const POLL_CHANNEL = "pulse_poll_changed";

/**
 * A vote's change, told to this process's streams only. Votes never NOTIFY:
 * PostgreSQL serializes the commits of every notifying transaction behind one
 * lock, which would queue every vote on the site again (issue 25). Other
 * instances hear of votes from the integrator, which announces each poll it
 * folded, four times a second at most (tlog.server.ts).
 */
export function announceLocally(pollId: number): void {
  events.emit("poll-changed", pollId);
}

export function notifyPollChanged(pollId: number): void {
  if (engine() === "sqlite") {
    events.emit("poll-changed", pollId);
    return;
  }
  // After the commit: a lost notification costs one live update, never data.
  pgPool()
    .query("select pg_notify($1, $2)", [POLL_CHANNEL, String(pollId)])
    .catch((err: Error) => console.error("could not announce a change:", err.message));
}

/** Starts this instance's LISTEN on PostgreSQL (once per connection); nothing to do on SQLite. */
export async function listenForChanges(): Promise<void> {
  if (engine() === "sqlite") return;
  await listen(POLL_CHANNEL, (payload) => {
    const pollId = Number(payload);
    if (Number.isInteger(pollId)) events.emit("poll-changed", pollId);
  });
}

const INBOX_CHANNEL = "pulse_inbox_changed";

/** Says that these people's inboxes changed (new notifications, or read): their live counts refresh. */
export function notifyInboxChanged(userIds: Iterable<string>): void {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  if (engine() === "sqlite") {
    for (const id of ids) events.emit("inbox-changed", id);
    return;
  }
  // A NOTIFY payload holds under 8,000 bytes: ids go in batches.
  for (let i = 0; i < ids.length; i += 100) {
    pgPool()
      .query("select pg_notify($1, $2)", [INBOX_CHANNEL, ids.slice(i, i + 100).join(",")])
      .catch((err: Error) => console.error("could not announce an inbox change:", err.message));
  }
}

/** Starts this instance's LISTEN for inbox changes on PostgreSQL. */
export async function listenForInboxes(): Promise<void> {
  if (engine() === "sqlite") return;
  await listen(INBOX_CHANNEL, (payload) => {
    for (const id of payload.split(",")) if (id) events.emit("inbox-changed", id);
  });
}
