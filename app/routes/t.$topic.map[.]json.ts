import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOpinionMap } from "~/models/opinion-map.server";
import { invariantResponse } from "~/lib/http.server";

// The opinion map as data (shape: docs/opinion-map.md, "version": 1). The
// same for everyone: never anyone's own place, never an identity.
export async function loader({ params }: LoaderFunctionArgs) {
  const res = await getOpinionMap(params.topic ?? "", null);
  const headers = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*" };
  invariantResponse(res, { error: "Topic not found" }, { status: 404, headers });
  invariantResponse(res.map, { version: 1, topic: res.topic.slug, error: "No map yet: too few people have answered." }, { status: 404, headers });
  return new Response(JSON.stringify(res.map, null, 2), { headers });
}
