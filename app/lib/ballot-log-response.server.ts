import type { BallotLog } from "~/models/ballot-log.server";
import { ballotLogCsv } from "./csv.server";
import { failureInit } from "./http.server";

/**
 * The loader of /t/:topic/p/:poll/ballots.csv and .json. The ETag is the row
 * count and head: a log only grows, so the pair names its whole content.
 */
export function ballotLogResponse(log: BallotLog, request: Request, format: "csv" | "json"): Response {
  if (!log.ok) {
    return new Response(JSON.stringify({ error: log.message }), { ...failureInit(log), headers: { "Content-Type": "application/json; charset=utf-8" } });
  }
  const etag = `"${log.rows.length}-${log.head.slice(0, 32)}"`;
  const headers = {
    "Cache-Control": "public, max-age=5",
    "Access-Control-Allow-Origin": "*",
    ETag: etag,
    Vary: "Accept-Encoding",
  };
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  if (format === "csv") {
    return new Response(ballotLogCsv(log.rows), {
      headers: {
        ...headers,
        "Content-Type": "text/csv; charset=utf-8; header=present",
        "Content-Disposition": `attachment; filename="${log.topicSlug}-${log.pollSlug}-ballots.csv"`,
      },
    });
  }
  const body = {
    version: 1,
    topic: log.topicSlug,
    poll: { id: log.pollId, slug: log.pollSlug, question: log.question, options: log.options },
    genesis: log.genesis,
    hashOf: "sha256 of poll.id|seq|hour|voter|action|choices|prev (docs/ballot-log.md)",
    rowCount: log.rows.length,
    head: log.head,
    rows: log.rows,
  };
  return new Response(JSON.stringify(body), { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" } });
}
