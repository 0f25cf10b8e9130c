import type { LoaderFunctionArgs } from "@remix-run/node";
import { getTopicResults } from "~/models/results.server";
import { invariantResponse } from "~/lib/http.server";

// Public aggregates as data; documented in docs/results-json.md. Read fresh:
// re-counts (docs/ballot-log.md) compare these numbers with the ballot logs.
export async function loader({ params }: LoaderFunctionArgs) {
  const res = await getTopicResults(params.topic ?? "", Date.now(), { fresh: true });
  invariantResponse(res, { error: "Topic not found" });
  return new Response(JSON.stringify(res.data, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=5", "Access-Control-Allow-Origin": "*" },
  });
}
