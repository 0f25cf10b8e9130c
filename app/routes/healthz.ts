import type { LoaderFunctionArgs } from "@remix-run/node";
import { checkDatabase } from "~/models/health.server";
import { openStreamCount } from "~/models/results-stream.server";

// For load balancers: 503 when the database cannot be read or written, so the
// instance is taken out instead of failing every vote.
export async function loader({ context }: LoaderFunctionArgs) {
  const database = await checkDatabase(context.settings.HEALTH_WRITE_INTERVAL_MS, Date.now(), context.settings.HEALTH_MIN_FREE_MB);
  const ok = database.readable && database.writable;
  const mem = process.memoryUsage();
  const memory = { rssMb: Math.round(mem.rss / 1048576), heapUsedMb: Math.round(mem.heapUsed / 1048576) };
  return new Response(JSON.stringify({ status: ok ? "ok" : "unavailable", database, streams: openStreamCount(), memory }), {
    status: ok ? 200 : 503,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
