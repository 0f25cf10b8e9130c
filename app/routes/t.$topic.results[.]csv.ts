import type { LoaderFunctionArgs } from "@remix-run/node";
import { resultsCsv } from "~/lib/csv.server";
import { getTopicResults } from "~/models/results.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const res = await getTopicResults(params.topic ?? "");
  if (!res) throw new Response("Topic not found", { status: 404 });
  return new Response(resultsCsv(res.data), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="${res.data.topic.slug}-results.csv"`,
      "Cache-Control": "public, max-age=5",
    },
  });
}
