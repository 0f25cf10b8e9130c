import type { BallotLogMeta, LogRow } from "~/models/ballot-log.server";
import type { Failure } from "~/models/outcome";
import { ballotLogCsv } from "./csv.server";
import { failureInit, invariantResponse } from "./http.server";

/** At most this many rows to a page of a ballot log. */
export const BALLOT_LOG_PAGE = 1000;

/** `?after=` (the first entry index shown; those before it are skipped) and `?limit=` (at most BALLOT_LOG_PAGE), or the message for a bad one. */
function pageOf(url: URL): { after: number; limit: number } | string {
  const after = url.searchParams.get("after") ?? "0";
  const limit = url.searchParams.get("limit") ?? String(BALLOT_LOG_PAGE);
  if (!/^\d{1,12}$/.test(after)) return "after: an entry index, 0 or more.";
  if (!/^\d{1,6}$/.test(limit) || Number(limit) < 1 || Number(limit) > BALLOT_LOG_PAGE) return `limit: from 1 to ${BALLOT_LOG_PAGE}.`;
  return { after: Number(after), limit: Number(limit) };
}

/**
 * The loader of /t/:topic/p/:poll/ballots.csv and .json, a page at a time
 * (docs/ballot-log.md): readable views of the entries the poll's latest
 * signed checkpoint covers. The validator is that checkpoint and the page
 * asked for: a client that has the page gets a 304 before any entry is read,
 * and no request holds more than a page.
 */
export async function ballotLogResponse(
  log: BallotLogMeta | Failure,
  readRows: (pollId: number, after: number, limit: number, size: number) => Promise<LogRow[]>,
  request: Request,
  format: "csv" | "json",
): Promise<Response> {
  if (!log.ok) invariantResponse(false, { error: log.message }, failureInit(log));
  const url = new URL(request.url);
  const page = pageOf(url);
  if (typeof page === "string") invariantResponse(false, { error: page }, 400);
  const { after, limit } = page;
  const etag = `"${log.size}-${Buffer.from(log.root, "base64").toString("hex").slice(0, 32)}-${after}-${limit}"`;
  const last = Math.min(log.size, after + limit);
  const next = last < log.size ? `${url.pathname}?after=${last}${limit === BALLOT_LOG_PAGE ? "" : `&limit=${limit}`}` : null;
  const headers: Record<string, string> = {
    "Cache-Control": "public, max-age=5",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, ETag",
    ETag: etag,
    Vary: "Accept-Encoding",
  };
  if (next) headers.Link = `<${next}>; rel="next"`;
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  const rows = after < log.size ? await readRows(log.pollId, after, limit, log.size) : [];
  if (format === "csv") {
    const labels = new Map(log.options.map((o) => [String(o.id), o.label]));
    return new Response(ballotLogCsv(rows, labels), {
      headers: {
        ...headers,
        "Content-Type": "text/csv; charset=utf-8; header=present",
        "Content-Disposition": `attachment; filename="${log.topicSlug}-${log.pollSlug}-ballots${after ? `-after-${after}` : ""}.csv"`,
      },
    });
  }
  const body = {
    version: 2,
    topic: log.topicSlug,
    poll: { id: log.pollId, slug: log.pollSlug, question: log.question, options: log.options },
    checkpoint: { size: log.size, root: log.root, url: log.checkpointUrl },
    entryFormat: "pulse-ballot/1 <poll> <hour> <voter> <n> <action> <choices>; leafHash = SHA-256(0x00 || entry) (docs/ballot-log.md)",
    after,
    next,
    rows,
  };
  return new Response(JSON.stringify(body), { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" } });
}
