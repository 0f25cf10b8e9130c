import { json } from "@remix-run/node";
import type { Failure, FailureCode } from "../models/outcome";
import { SITE, sitePath } from "./form.server";

/** Adds query parameters and a hash to a same-site path; anything else becomes "/" first. */
export function withParams(path: string, params: Record<string, string>, hash?: string): string {
  const url = new URL(sitePath(path) ?? "/", SITE);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (hash) url.hash = hash;
  return sitePath(url.pathname + url.search + url.hash) ?? "/";
}

const STATUS: Record<FailureCode, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

/** The one mapping from a model's failure to HTTP: its status, and Retry-After when it says how long. */
export function failureInit(failure: Failure): ResponseInit {
  return { status: STATUS[failure.code], headers: failure.retryAfter ? { "Retry-After": String(failure.retryAfter) } : undefined };
}

/** A model's failure as a form's answer: the message under its field (or `_form`), whatever else the form needs, the status. */
export function failureJson<T extends Record<string, unknown>>(failure: Failure, extra?: T) {
  return json({ ...(extra as T), errors: { [failure.field ?? "_form"]: [failure.message] } as Record<string, string[]> }, failureInit(failure));
}
