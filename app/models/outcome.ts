// The one result shape of every model write. Models say what went wrong in
// domain terms; one route helper (app/lib/http.server.ts) maps the code to an
// HTTP status, so models never speak HTTP.

export type FailureCode = "invalid" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "unavailable";

export type Failure = {
  ok: false;
  code: FailureCode;
  message: string;
  /** The form field the message belongs to, if any. */
  field?: string;
  /** Seconds to wait, for `rate_limited`. */
  retryAfter?: number;
};

export type Ok<T extends object = object> = { ok: true } & T;

export function fail(code: FailureCode, message: string, field?: string, retryAfter?: number): Failure {
  return { ok: false, code, message, field, retryAfter };
}
