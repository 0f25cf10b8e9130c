import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigate } from "@remix-run/react";
import { useEffect } from "react";
import { requireRole } from "~/auth/guards.server";
import { useLiveResults } from "~/components/useLiveResults";
import { PresentResults } from "~/components/PresentResults";
import { isModerator } from "~/lib/visibility";
import { failureResponse, invariantResponse } from "~/lib/http.server";
import { qrSvg } from "~/lib/qr.server";
import { setResultsHidden } from "~/models/polls.server";
import { getPresentPage } from "~/models/results.server";

// Present mode (issue 27): one question and its live results, large enough
// for a hall, with a QR code that opens the question for a phone to answer
// (as a guest where the poll allows). A moderator holds the results back and
// reveals them from here, for every screen at once.

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.poll.question} — present — Pulse` : "Not found — Pulse" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const page = await getPresentPage(params.topic ?? "", params.poll ?? "");
  invariantResponse(page, "Poll not found");
  // request.url is built on PUBLIC_ORIGIN (server.ts): the address a phone reaches.
  const join = `${new URL(request.url).origin}/t/${page.topic.slug}/p/${page.poll.slug}`;
  const at = page.polls.findIndex((p) => p.slug === page.poll.slug);
  return {
    ...page,
    join,
    qr: await qrSvg(join),
    prev: page.polls[at - 1]?.slug ?? null,
    next: page.polls[at + 1]?.slug ?? null,
    moderator: isModerator(context.auth.user?.role),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireRole(args, "moderator");
  const page = await getPresentPage(args.params.topic ?? "", args.params.poll ?? "");
  invariantResponse(page, "Poll not found");
  const intent = (await args.request.formData().catch(() => null))?.get("intent");
  invariantResponse(intent === "hide" || intent === "reveal", "Unknown action.", 400);
  const res = await setResultsHidden(user.id, page.pollId, intent === "hide");
  // Pressed twice (two moderators, two tabs): already as asked, nothing to do.
  if (!res.ok && res.code !== "conflict") failureResponse(res);
  return redirect(`/t/${page.topic.slug}/p/${page.poll.slug}/present`);
}

/**
 * ← and → (and a presenter's clicker, which sends Page Up and Page Down) move
 * between the topic's questions. They follow the page's own Previous and Next
 * links, so a key always moves from the question on screen.
 */
function useArrowKeys() {
  const navigate = useNavigate();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || (e.target as HTMLElement | null)?.closest("input, textarea, select")) return;
      const rel = e.key === "ArrowLeft" || e.key === "PageUp" ? "prev" : e.key === "ArrowRight" || e.key === "PageDown" ? "next" : null;
      const link = rel ? document.querySelector<HTMLAnchorElement>(`.present-nav a[rel="${rel}"]`) : null;
      if (!link) return;
      e.preventDefault();
      navigate(link.pathname);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);
}

export default function Present() {
  const d = useLoaderData<typeof loader>();
  const { live, connected } = useLiveResults(d.topic.slug, false);
  const poll = live?.polls.find((p) => p.slug === d.poll.slug) ?? d.poll;
  useArrowKeys();
  return (
    <article className="present" data-live={connected ? "on" : "off"}>
      <div className="present-main">
        <p className="present-topic">{d.topic.title}</p>
        <h1 className="present-question">{poll.question}</h1>
        <p className="present-count" aria-live="polite" data-testid="present-count">
          {poll.voters === 1 ? "1 answer" : `${poll.voters} answers`}
          {poll.guests ? ` (${poll.guests} as guests)` : ""}
        </p>
        <PresentResults poll={poll} />
      </div>
      <aside className="present-join" aria-label="Answer on your phone">
        <div className="qr" role="img" aria-label={`QR code for ${d.join}`} dangerouslySetInnerHTML={{ __html: d.qr }} />
        <p className="join-url" data-testid="join-url">{d.join.replace(/^https?:\/\//, "")}</p>
        {d.poll.allowGuests ? <p className="muted">No account needed.</p> : <p className="muted">Sign in to answer.</p>}
        {d.moderator ? (
          <Form method="post" className="present-control">
            {d.resultsHidden ? (
              <button type="submit" name="intent" value="reveal">Reveal the results</button>
            ) : (
              <button type="submit" name="intent" value="hide" className="secondary">Hold the results back</button>
            )}
          </Form>
        ) : null}
        <nav className="present-nav" aria-label="Questions">
          {d.prev ? <Link to={`/t/${d.topic.slug}/p/${d.prev}/present`} rel="prev">← Previous</Link> : <span />}
          <Link to={`/t/${d.topic.slug}/p/${d.poll.slug}`}>Leave</Link>
          {d.next ? <Link to={`/t/${d.topic.slug}/p/${d.next}/present`} rel="next">Next →</Link> : <span />}
        </nav>
      </aside>
    </article>
  );
}
