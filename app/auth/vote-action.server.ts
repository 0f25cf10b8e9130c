import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { admitGuestBallot } from "./guest.server";
import { requireVoter } from "./guards.server";
import { voteSchema } from "../forms/discussion.server";
import { castVote, withdrawVote } from "../models/ballots.server";
import { findPollForVote } from "../models/pages.server";
import { parseForm, readForm, safeRedirect } from "../lib/form.server";
import { failureReply, formDone, formReply, invariantResponse, withParams } from "../lib/http.server";

/** A response that also makes this browser a guest, when its answer made it one. */
function withCookie<T extends Response>(res: T, setCookie: string | null): T {
  if (setCookie) res.headers.append("Set-Cookie", setCookie);
  return res;
}

/**
 * An answer posted to a poll, by a member or (where the poll allows) a guest
 * (issue 27): the poll page's and the embed's action. `back`: where a plain
 * post lands afterwards when the form names no place.
 */
export async function voteAction(args: ActionFunctionArgs, opts: { embed: boolean; back: (topicSlug: string, slug: string) => string }) {
  const { request, params, context } = args;
  const target = await findPollForVote(params.topic ?? "", params.poll ?? "");
  invariantResponse(target, "Poll not found");
  const voter = requireVoter(args, target.allowGuests, opts.embed);
  const form = await readForm(request);
  // What was chosen, as ids and a value, to show again if the answer is refused (never echoed as text).
  const submitted = {
    option: form.getAll("option").map(String).filter((n) => /^[1-9][0-9]{0,14}$/.test(n)).slice(0, 100),
    value: /^[1-5]$/.test(String(form.get("value") ?? "")) ? String(form.get("value")) : "",
    rank: form.getAll("rank").map(String).filter((p) => /^[1-9][0-9]{0,14}:[1-9][0-9]{0,2}$/.test(p)).slice(0, 100),
  };
  const parsed = parseForm(voteSchema, form);
  if (!parsed.ok) return formReply(parsed.errors, submitted);
  const { intent, option, value, rank, redirectTo, via } = parsed.data;
  if (voter.guest && intent === "vote") {
    const refused = await admitGuestBallot(context.limits, context.clientIp, voter.id, target.pollId);
    if (refused) return failureReply(refused, submitted);
  }
  const result = intent === "withdraw" ? await withdrawVote(voter.id, target.pollId) : await castVote(voter.id, target.pollId, { optionIds: option, scaleValue: value, ranks: rank });
  if (!result.ok) return failureReply(result, submitted);
  const message = intent === "withdraw" ? "Your answer was withdrawn." : voter.guest ? "Your answer was recorded (as a guest, in this browser)." : "Your answer was recorded.";
  if (via === "fetcher") return withCookie(formDone({ message }), voter.setCookie);
  const back = safeRedirect(redirectTo, opts.back(target.topicSlug, target.slug));
  return withCookie(redirect(withParams(back, { [intent === "withdraw" ? "withdrawn" : "voted"]: target.slug }, `poll-${target.slug}`)), voter.setCookie);
}
