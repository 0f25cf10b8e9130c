import type { BallotLogMeta, LogRow } from "~/models/ballot-log.server";
import type { Failure } from "~/models/outcome";
import { ballotLogCsv } from "./csv.server";
import { failureInit, invariantResponse } from "./http.server";

/** At most this many rows to a page of a ballot log. */
export const BALLOT_LOG_PAGE = 1000;

/** `?after=` (rows before it are skipped) and `?limit=` (at most BALLOT_LOG_PAGE), or the message for a bad one. */
function pageOf(url: URL): { after: number; limit: number } | string {
  const after = url.searchParams.get("after") ?? "0";
  const limit = url.searchParams.get("limit") ?? String(BALLOT_LOG_PAGE);
  if (!/^\d{1,12}$/.test(after)) return "after: a row number, 0 or more.";
  if (!/^\d{1,6}$/.test(limit) || Number(limit) < 1 || Number(limit) > BALLOT_LOG_PAGE) return `limit: from 1 to ${BALLOT_LOG_PAGE}.`;
  return { after: Number(after), limit: Number(limit) };
}

/**
 * The loader of /t/:topic/p/:poll/ballots.csv and .json, a page at a time
 * (docs/ballot-log.md). The validator is the page asked for and the log's
 * length and head, known from one index probe: a client that has the page
 * gets a 304 before any row is read, and no request holds more than a page.
 */
export async function ballotLogResponse(
  log: BallotLogMeta | Failure,
  readRows: (pollId: number, after: number, limit: number) => Promise<LogRow[]>,
  request: Request,
  format: "csv" | "json",
): Promise<Response> {
  if (!log.ok) invariantResponse(false, { error: log.message }, failureInit(log));
  const url = new URL(request.url);
  const page = pageOf(url);
  if (typeof page === "string") invariantResponse(false, { error: page }, 400);
  const { after, limit } = page;
  const etag = `"${log.rowCount}-${log.head.slice(0, 32)}-${after}-${limit}"`;
  const last = Math.min(log.rowCount, after + limit);
  const next = last < log.rowCount ? `${url.pathname}?after=${last}${limit === BALLOT_LOG_PAGE ? "" : `&limit=${limit}`}` : null;
  const headers: Record<string, string> = {
    "Cache-Control": "public, max-age=5",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, ETag",
    ETag: etag,
    Vary: "Accept-Encoding",
  };
  if (next) headers.Link = `<${next}>; rel="next"`;
  if (request.headers.get("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  const rows = after < log.rowCount ? await readRows(log.pollId, after, limit) : [];
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
    version: 1,
    topic: log.topicSlug,
    poll: { id: log.pollId, slug: log.pollSlug, question: log.question, options: log.options },
    genesis: log.genesis,
    hashOf: "sha256 of poll.id|seq|hour|voter|action|choices|prev (docs/ballot-log.md)",
    rowCount: log.rowCount,
    head: log.head,
    after,
    next,
    rows,
  };
  return new Response(JSON.stringify(body), { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" } });
}
