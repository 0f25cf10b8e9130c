import type { LoaderFunctionArgs } from "@remix-run/node";
import { failureResponse, invariantResponse } from "~/lib/http.server";
import { getBallotLog } from "~/models/ballot-log.server";
import { latestCheckpoint } from "~/models/tlog.server";

// The poll's latest signed checkpoint, a C2SP signed note (docs/ballot-log.md).
export async function loader({ params }: LoaderFunctionArgs) {
  const log = await getBallotLog(params.topic ?? "", params.poll ?? "");
  if (!log.ok) failureResponse(log);
  const c = await latestCheckpoint(log.pollId);
  invariantResponse(c, "No checkpoint yet: the log has no entries.");
  // Mutable: caches may keep it for a moment only (tlog-tiles).
  return new Response(c.note, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=2" } });
}
