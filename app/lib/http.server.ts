import { json } from "@remix-run/node";
import type { Failure, FailureCode } from "../models/outcome";
import type { FieldErrors, FormReply, Values } from "./form-reply";
import { SITE, sitePath } from "./form.server";
import { invariantResponse } from "./invariant.server";

export { invariantResponse };

// The route edge (issue 24): every 4xx a route sends is made here. Pages and
// resources that cannot go on throw a plain response (invariantResponse,
// failureResponse); forms answer with one shape, FormReply.

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
export function failureInit(failure: Pick<Failure, "code" | "retryAfter">): ResponseInit {
  return { status: STATUS[failure.code], headers: failure.retryAfter ? { "Retry-After": String(failure.retryAfter) } : undefined };
}

/** Ends the request with a model's failure: its message, status and Retry-After. */
export function failureResponse(failure: Failure): never {
  invariantResponse(false, failure.message, failureInit(failure));
}

export type { FormReply, Values } from "./form-reply";

// Fields whose values never travel back to the page.
const SECRET = /password|current|token|code/i;

function typedValues(values: Record<string, unknown>): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(values)) {
    if (SECRET.test(k)) continue;
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[k] = v;
  }
  return out;
}

/** A form's 400 (or another status) with its field messages. */
export function formReply(errors: FieldErrors, values: Record<string, unknown> = {}, opts: { form?: string; init?: ResponseInit } = {}) {
  const reply: FormReply = { ok: false, form: opts.form ?? null, errors, values: typedValues(values) };
  return json(reply, opts.init ?? { status: 400 });
}

/** A model's failure (a rate limit included) as a form's answer: the message under its field, or the form's. */
export function failureReply(failure: Failure, values: Record<string, unknown> = {}, form?: string) {
  return formReply({ [failure.field ?? "_form"]: [failure.message] }, values, { form, init: failureInit(failure) });
}

/**
 * A form that was taken while the page stays (a fetcher, a preview, one more
 * option row): `ok`, the same fields as a FormReply so a page reads one
 * shape, and what the page shows next.
 */
export function formDone<T extends Record<string, unknown>>(data: T, opts: { form?: string; values?: Record<string, unknown>; init?: ResponseInit } = {}) {
  const errors: FieldErrors = {};
  return json({ ok: true as const, form: opts.form ?? null, errors, values: typedValues(opts.values ?? {}), ...data }, opts.init);
}
