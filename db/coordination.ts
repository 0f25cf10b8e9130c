// What instances sharing one PostgreSQL coordinate through: LISTEN/NOTIFY
// channels and advisory locks. On SQLite there is one instance.
import pg from "pg";
import { current } from "./connection";

/**
 * LISTENs on a PostgreSQL channel on a connection of its own (a pooled one
 * would be handed to other queries). A lost connection is reopened after a
 * second; notifications sent meanwhile are missed, which costs a live update,
 * never data. Idempotent per channel; closeDatabase() stops it.
 */
export function listen(channel: string, onPayload: (payload: string) => void): Promise<void> {
  const open = current();
  if (open.engine !== "pg") throw new Error("LISTEN needs PostgreSQL");
  const existing = open.listeners.get(channel);
  if (existing) return existing.ready;
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: open.url });
    c.on("notification", (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) onPayload(msg.payload);
    });
    c.on("error", () => {
      client = null;
      void c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect().catch(() => {}), 1000);
    });
    await c.connect();
    await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    if (stopped) await c.end();
    else client = c;
  };
  const ready = connect();
  open.listeners.set(channel, {
    ready,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await ready.catch(() => {});
      await client?.end().catch(() => {});
    },
  });
  return ready;
}

/**
 * Runs `fn` unless another instance is running the job under the same key
 * right now (a PostgreSQL advisory lock, tried, not waited for). On SQLite
 * there is one instance: it always runs. Answers whether it ran.
 */
export async function exclusively(key: number, fn: () => Promise<unknown>): Promise<boolean> {
  const open = current();
  if (open.engine === "sqlite") {
    await fn();
    return true;
  }
  const client = await open.pool.connect();
  try {
    const { rows: got } = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1) as ok", [key]);
    if (!got[0].ok) return false;
    try {
      await fn();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [key]);
    }
    return true;
  } finally {
    client.release();
  }
}
