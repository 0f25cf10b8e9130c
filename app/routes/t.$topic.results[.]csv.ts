import type { LoaderFunctionArgs } from "@remix-run/node";
import { resultsCsv } from "~/lib/csv.server";
import { getTopicResults } from "~/models/results.server";
import { invariantResponse } from "~/lib/http.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const res = await getTopicResults(params.topic ?? "");
  invariantResponse(res, "Topic not found");
  return new Response(resultsCsv(res.data), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="${res.data.topic.slug}-results.csv"`,
      "Cache-Control": "public, max-age=5",
    },
  });
}
