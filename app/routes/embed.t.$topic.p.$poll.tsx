import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { voteAction } from "~/auth/vote-action.server";
import { useReportHeight, withLiveCounts } from "~/components/Embed";
import { PollCard } from "~/components/PollCard";
import { useLiveResults } from "~/components/useLiveResults";
import { keepRetryAfter } from "~/lib/headers";
import { parentOriginOf } from "~/lib/embed";
import { invariantResponse } from "~/lib/http.server";
import { getPollPage } from "~/models/pages.server";

// A poll on another site's page (issue 27, docs/embedding.md): the question,
// the answer form and the results as visibility allows, framed only by the
// sites EMBED_ORIGINS names. Inside a third-party frame the browser sends no
// session: a guest answers here (a partitioned cookie); a member is sent to
// Pulse in a new tab to answer as themselves.

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.poll.question} — Pulse` : "Not found — Pulse" }, { name: "robots", content: "noindex" }];

export const headers = keepRetryAfter;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const page = await getPollPage(params.topic ?? "", params.poll ?? "", context.auth.user, Date.now(), context.auth.guest);
  invariantResponse(page, "Poll not found");
  const url = new URL(request.url);
  return {
    topic: { slug: page.topic.slug, title: page.topic.title },
    poll: page.poll,
    signedIn: !!context.auth.user,
    full: `${url.origin}/t/${page.topic.slug}/p/${page.poll.slug}`,
    parentOrigin: parentOriginOf(url, context.settings.EMBED_ORIGINS),
  };
}

export const action = (args: ActionFunctionArgs) => voteAction(args, { embed: true, back: (topic, poll) => `/embed/t/${topic}/p/${poll}` });

export default function EmbeddedPoll() {
  const d = useLoaderData<typeof loader>();
  const { live } = useLiveResults(d.topic.slug, false);
  useReportHeight(d.parentOrigin);
  const here = `/embed/t/${d.topic.slug}/p/${d.poll.slug}${d.parentOrigin ? `?host=${encodeURIComponent(d.parentOrigin)}` : ""}`;
  const outside = (
    <p className="muted small">
      {d.poll.allowGuests ? "Answer here without an account, or " : "Answering needs an account: "}
      <a href={d.full} target="_blank" rel="noopener">
        answer on Pulse as a member ↗
      </a>
    </p>
  );
  return (
    <div className="embed">
      <PollCard poll={withLiveCounts(d.poll, live)} topicSlug={d.topic.slug} signedIn={d.signedIn} headingLevel={1} linkQuestion={false} formAction={here} signInNote={outside} />
      <p className="embed-foot small">
        <a href={d.full} target="_blank" rel="noopener">
          The full discussion on Pulse ↗
        </a>
      </p>
    </div>
  );
}
