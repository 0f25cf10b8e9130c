import type { z } from "zod";

import type { FieldErrors } from "./form-reply";
import { invariantResponse } from "./invariant.server";

export type { FieldErrors };

export type Parsed<T> =
  | { ok: true; data: T }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * FormData -> plain object -> zod. Repeated keys become arrays. Unknown
 * fields fail strict schemas, so a form can never set ids, roles or scores.
 */
export function formToObject(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form.entries()) {
    const v = typeof value === "string" ? value : value.name;
    const prev = out[key];
    if (prev === undefined) out[key] = v;
    else out[key] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function parseForm<S extends z.ZodType>(schema: S, input: FormData | Record<string, unknown>): Parsed<z.infer<S>> {
  const obj = input instanceof FormData ? formToObject(input) : input;
  const result = schema.safeParse(obj);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) (errors[key] ??= []).push("This field is not accepted.");
      continue;
    }
    const key = issue.path.length ? String(issue.path[0]) : "_form";
    (errors[key] ??= []).push(issue.message);
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    // Secrets are never sent back: the form asks for them again.
    if (typeof v === "string" && !/password|current/i.test(k)) values[k] = v;
  }
  return { ok: false, errors, values };
}

/** A base no real request has: paths are resolved against it to see where a browser would go. */
export const SITE = "http://pulse.invalid";

/**
 * A path on this site, or null. The check is made on the URL a browser would
 * resolve, after normalisation: `/.//evil`, `/%2e//evil` and `/./\\evil` all
 * resolve to `//evil`, which browsers read as another host.
 */
export function sitePath(to: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (!to.startsWith("/") || /[\u0000-\u001f\\]/.test(to)) return null;
  let url: URL;
  try {
    url = new URL(to, SITE);
  } catch {
    return null;
  }
  const path = url.pathname + url.search + url.hash;
  if (url.origin !== SITE || !path.startsWith("/") || path.startsWith("//")) return null;
  return path;
}

/** Keeps redirects on this site: a normalised path, never `//host` or `/\\host`. */
export function safeRedirect(to: unknown, fallback = "/"): string {
  return (typeof to === "string" && sitePath(to)) || fallback;
}

/** The request's form; a body that is not a form is the client's error (400), never a 500. */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    invariantResponse(false, "Send the form as application/x-www-form-urlencoded or multipart/form-data.", 400);
  }
}
