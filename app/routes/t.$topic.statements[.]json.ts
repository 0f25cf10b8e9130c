import type { LoaderFunctionArgs } from "@remix-run/node";
import { invariantResponse } from "~/lib/http.server";
import { statementsJson } from "~/models/statements.server";

// People's statements as data (issue 28; shape in docs/opinion-map.md): every
// shown statement with its agree, disagree and pass counts, and per group of
// the last map only where that group rated it at least ten times.
export async function loader({ params }: LoaderFunctionArgs) {
  const data = await statementsJson(params.topic ?? "");
  const headers = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*" };
  invariantResponse(data, { error: "Topic not found" }, { status: 404, headers });
  return new Response(JSON.stringify(data, null, 2), { headers });
}
