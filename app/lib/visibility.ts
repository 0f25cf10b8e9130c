import { formatDateTime } from "./format";

import type { Visibility } from "../../db/schema/domain";

export type { Visibility };

/** The one rule for "closed": a close time that has come. */
export function isClosed(poll: { closesAt: number | null }, now: number = Date.now()): boolean {
  return poll.closesAt !== null && poll.closesAt <= now;
}

/** The one rule for who moderates: moderators and admins (they see removed comments, and may restore them). */
export function isModerator(role: string | null | undefined): boolean {
  return role === "moderator" || role === "admin";
}

export type Viewer = { signedIn: boolean; hasVoted: boolean };

export type VisibilityDecision = { visible: true } | { visible: false; reason: string };

/**
 * The one rule for whether a poll's results may be shown to a viewer. Every
 * output (pages, JSON, CSV, cross-tab, trends, stream) asks this function.
 */
export function resultsVisibility(
  poll: { visibility: Visibility; closesAt: number | null; resultsHidden: boolean },
  viewer: Viewer,
  now: number = Date.now(),
): VisibilityDecision {
  // A moderator holds them back on the big screen (present mode, issue 27): from everyone, everywhere, until revealed.
  if (poll.resultsHidden) return { visible: false, reason: "The results are held back until a moderator reveals them: answer first." };
  switch (poll.visibility) {
    case "always":
      return { visible: true };
    case "after_vote":
      if (viewer.hasVoted) return { visible: true };
      return {
        visible: false,
        reason: viewer.signedIn ? "Results show once you have answered." : "Results show to people who have answered: sign in and vote to see them.",
      };
    case "after_close":
      if (isClosed(poll, now)) return { visible: true };
      return {
        visible: false,
        reason:
          poll.closesAt === null
            ? "Results show when the poll closes; no closing time is set yet."
            : `Results show when the poll closes, at ${formatDateTime(poll.closesAt)}.`,
      };
  }
}

/** For public aggregate outputs (results page, JSON, CSV, stream): nobody has voted there. */
export const PUBLIC_VIEWER: Viewer = { signedIn: false, hasVoted: false };
