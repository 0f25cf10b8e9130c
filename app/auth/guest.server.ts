import { randomBytes } from "node:crypto";
import { config } from "../config.server";
import { getMyChoices } from "../models/ballots.server";
import { guestIdOf } from "../models/guests.server";
import type { Failure } from "../models/outcome";
import { take, type Limits } from "./rate-limits.server";

// The guest cookie (issue 27, decision 029): a random token, kept a year,
// that makes one browser a guest voter. HttpOnly and Lax like the session's;
// __Host- and Secure in production. Inside another site's frame the browser
// sends no Lax cookie, so embeds set it Partitioned (CHIPS) with
// SameSite=None: a guest in a frame is a guest of that site's partition.

const YEAR_S = 365 * 24 * 3600;

const production = () => config().NODE_ENV === "production";
const guestCookieName = () => (production() ? "__Host-pulse_guest" : "pulse_guest");

/** The token a Cookie header carries, if it is one Pulse makes. */
function readGuestToken(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  const name = guestCookieName();
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      if (guestIdOf(value)) return value;
    }
  }
  return null;
}

/** The guest a Cookie header makes of its browser, or null. */
export const guestOf = (cookieHeader: string | undefined): string | null => {
  const token = readGuestToken(cookieHeader);
  return token ? guestIdOf(token) : null;
};

function attributes(embed: boolean): string {
  // A frame's cookie must be SameSite=None, which browsers take only with Secure (localhost counts as secure).
  if (embed) return "; SameSite=None; Secure; Partitioned";
  return `; SameSite=Lax${production() ? "; Secure" : ""}`;
}

/** A new guest: the token's cookie and the guest id it stands for. */
export function newGuest(embed: boolean): { id: string; setCookie: string } {
  const token = randomBytes(24).toString("base64url");
  return { id: guestIdOf(token)!, setCookie: `${guestCookieName()}=${token}; Path=/; Max-Age=${YEAR_S}; HttpOnly${attributes(embed)}` };
}

/** Forgets the guest in this browser (they signed in, and their answers moved to the account). */
export const clearGuestCookie = (): string => `${guestCookieName()}=; Path=/; Max-Age=0; HttpOnly${attributes(false)}`;

/** Who answers a poll: the signed-in member; else, where the poll allows guests, this browser's guest (a new one if it has none). */
export type Voter = { id: string; guest: boolean; setCookie: string | null };

/**
 * A guest's first answer on a poll takes a point from the per-address cap
 * (key: address and poll) and the site-wide one; a change or a withdrawal
 * takes nothing.
 */
export async function admitGuestBallot(limits: Limits, clientIp: string, guestId: string, pollId: number): Promise<Failure | null> {
  if ((await getMyChoices(guestId, [pollId])).has(pollId)) return null;
  return (
    (await take(limits, limits.guestBallots, `${clientIp}|${pollId}`, "new guest answers to this question from your network")) ??
    (await take(limits, limits.guestBallotsEverywhere, "all", "guest answers on the site right now"))
  );
}
