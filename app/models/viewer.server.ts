import { unreadCount } from "./notifications.server";
import { resultsMine, type ResultsMine } from "./results.server";

// The root loader's data: everything on a page that is the reader's own
// (issue 26). Route loaders draw what every reader of a page sees; this draws
// the rest, so a kept page can be joined with one reader's part of it
// (app/components/Slot.tsx, docs/decisions/028).

export type ViewerUser = { username: string; role: string; unread: number };
export type RootData = { user: ViewerUser | null; mine: ResultsMine | null };

export const ANONYMOUS_ROOT: RootData = { user: null, mine: null };

const RESULTS_PAGE = /^\/t\/([a-z0-9-]{2,64})\/results\/?$/;

/** The reader's own data for the page at `pathname`; a guest's (issue 27) is what they answered, on the results page. */
export async function rootData(user: { id: string; username: string; role: string } | null, pathname: string, guest: string | null = null): Promise<RootData> {
  const results = RESULTS_PAGE.exec(pathname);
  if (!user) return guest && results ? { user: null, mine: await resultsMine(results[1], { id: guest }) } : ANONYMOUS_ROOT;
  const unread = await unreadCount(user.id);
  const mine = results ? await resultsMine(results[1], user) : null;
  return { user: { username: user.username, role: user.role, unread }, mine };
}
