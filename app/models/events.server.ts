import { EventEmitter } from "node:events";
import { engine, listen, pgPool } from "../../db/client";

// Notifications that results changed; the results stream listens.
// On SQLite (one process) they stay in the process. On PostgreSQL every
// instance LISTENs on one channel and a change is announced with NOTIFY, so a
// vote on one instance reaches streams held open on all of them.
// Lives on globalThis so the server build and server.ts share one emitter.
const holder = globalThis as unknown as { __pulseEvents?: EventEmitter };
export const events = (holder.__pulseEvents ??= new EventEmitter().setMaxListeners(0));

const CHANNEL = "pulse_poll_changed";

export function notifyPollChanged(pollId: number): void {
  if (engine() === "sqlite") {
    events.emit("poll-changed", pollId);
    return;
  }
  // After the commit: a lost notification costs one live update, never data.
  pgPool()
    .query("select pg_notify($1, $2)", [CHANNEL, String(pollId)])
    .catch((err: Error) => console.error("could not announce a change:", err.message));
}

/** Starts this instance's LISTEN on PostgreSQL (once per connection); nothing to do on SQLite. */
export async function listenForChanges(): Promise<void> {
  if (engine() === "sqlite") return;
  await listen(CHANNEL, (payload) => {
    const pollId = Number(payload);
    if (Number.isInteger(pollId)) events.emit("poll-changed", pollId);
  });
}
