import { useEffect } from "react";
import type { PollView } from "~/models/pages.server";
import type { TopicResults } from "~/models/results.server";

/**
 * Tells the page that framed this one how tall it is (issue 27), and only
 * that page: `parentOrigin` is the site /embed.js named, checked against
 * EMBED_ORIGINS on the server; never `'*'`.
 */
export function useReportHeight(parentOrigin: string | null) {
  useEffect(() => {
    if (!parentOrigin || window.parent === window) return;
    let last = 0;
    const send = () => {
      const height = Math.ceil(document.documentElement.scrollHeight);
      if (height === last) return;
      last = height;
      window.parent.postMessage({ type: "pulse:height", height, path: location.pathname }, parentOrigin);
    };
    const observer = new ResizeObserver(send);
    observer.observe(document.body);
    send();
    return () => observer.disconnect();
  }, [parentOrigin]);
}

/** The poll card's counts, brought up to date from the live stream where the public may see them. */
export function withLiveCounts(poll: PollView, live: TopicResults | null): PollView {
  const l = live?.polls.find((p) => p.slug === poll.slug);
  if (!l?.visible || !l.options || poll.options.some((o) => o.count === null)) return poll;
  const counts = new Map(l.options.map((o) => [o.id, o]));
  return {
    ...poll,
    voterCount: l.voters,
    guestVoters: l.guests,
    options: poll.options.map((o) => ({ ...o, count: counts.get(o.id)?.count ?? o.count, guestCount: counts.get(o.id)?.guests ?? o.guestCount })),
  };
}
