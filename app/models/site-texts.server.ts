import { eq, sql } from "drizzle-orm";
import { prepared, transaction } from "../../db/client";
import { siteTexts } from "../../db/schema";
import { renderMarkdown } from "../lib/markdown.server";
import { logAction } from "./moderation-log.server";
import type { Ok } from "./outcome";

// Texts of the site that admins edit from the browser. Until an admin saves
// one, its default below is shown.

export const DEFAULT_RULES = `Pulse is for arguing about ideas, not about people. Moderators apply these rules; every removal and ban is counted on the [moderation page](/moderation).

1. **Argue the point.** Disagree with a claim, a clause or a reading of the license, never with the person who made it. No insults, slurs or threats.
2. **Say where a fact comes from.** When you state what a license says, link to the text or quote the clause.
3. **One account per person.** Poll results count people; extra accounts to sway them are removed with their votes.
4. **No spam.** No advertising, no links unrelated to the discussion, no copying the same comment into many threads.
5. **Keep private things private.** Do not post anyone's personal details, and do not claim to speak for an organisation you do not represent.
6. **Report, do not retaliate.** If a comment breaks these rules, report it. A moderator will look at it.

Comments that break a rule are removed; accounts that keep breaking them are banned.

**Locked threads.** A moderator may lock a topic's discussion, or one question's, when it has gone round in circles. A lock stops new comments, edits and comment votes in that thread; the questions stay open, so you can still answer them and change your answer until each question closes.`;

const DEFAULTS: Record<SiteTextKey, string> = { rules: DEFAULT_RULES };
export type SiteTextKey = "rules";

const byKey = prepared("siteTexts.byKey", (c) =>
  c.select({ bodyMd: siteTexts.bodyMd, bodyHtml: siteTexts.bodyHtml, updatedAt: siteTexts.updatedAt }).from(siteTexts).where(eq(siteTexts.key, sql.placeholder("key"))),
);

// A default is drawn once per process, not on every read of a page that shows it.
const drawnDefaults = new Map<SiteTextKey, string>();
function defaultHtml(key: SiteTextKey): string {
  let html = drawnDefaults.get(key);
  if (html === undefined) drawnDefaults.set(key, (html = renderMarkdown(DEFAULTS[key])));
  return html;
}

export async function getSiteText(key: SiteTextKey): Promise<{ bodyMd: string; bodyHtml: string; updatedAt: number | null }> {
  const row = await byKey().get({ key });
  return row ?? { bodyMd: DEFAULTS[key], bodyHtml: defaultHtml(key), updatedAt: null };
}

/** Saves a text and logs who changed it. */
export async function saveSiteText(adminId: string, key: SiteTextKey, bodyMd: string, now = Date.now()): Promise<Ok> {
  return transaction(async (tx) => {
    const values = { key, bodyMd, bodyHtml: renderMarkdown(bodyMd), updatedAt: now, updatedBy: adminId };
    await tx.insert(siteTexts).values(values).onConflictDoUpdate({ target: siteTexts.key, set: { bodyMd: values.bodyMd, bodyHtml: values.bodyHtml, updatedAt: now, updatedBy: adminId } });
    await logAction(tx, adminId, `${key}.edit`, "site", key, null);
    return { ok: true as const };
  });
}
