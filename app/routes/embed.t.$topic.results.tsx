import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useReportHeight } from "~/components/Embed";
import { PollResults } from "~/components/PollResults";
import { useLiveResults } from "~/components/useLiveResults";
import { invariantResponse } from "~/lib/http.server";
import { getTopicResults } from "~/models/results.server";
import { parentOriginOf } from "~/lib/embed";

// A topic's results on another site's page (issue 27): the public aggregates, live.

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Results: ${data.results.topic.title} — Pulse` : "Not found — Pulse" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const res = await getTopicResults(params.topic ?? "");
  invariantResponse(res, "Topic not found");
  const url = new URL(request.url);
  return { results: res.data, full: `${url.origin}/t/${res.data.topic.slug}/results`, parentOrigin: parentOriginOf(url, context.settings.EMBED_ORIGINS) };
}

export default function EmbeddedResults() {
  const d = useLoaderData<typeof loader>();
  const { live } = useLiveResults(d.results.topic.slug, false);
  useReportHeight(d.parentOrigin);
  const polls = live?.polls ?? d.results.polls;
  return (
    <div className="embed">
      <h1 className="embed-title">{d.results.topic.title}</h1>
      {polls.map((p) => (
        <PollResults key={p.slug} poll={p} topicSlug={d.results.topic.slug} linkTarget="_blank" />
      ))}
      <p className="embed-foot small">
        <a href={d.full} target="_blank" rel="noopener">
          Every result, the trends and the opinion map on Pulse ↗
        </a>
      </p>
    </div>
  );
}
