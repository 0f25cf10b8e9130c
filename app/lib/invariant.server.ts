// Kept apart from http.server.ts so that form.server.ts can use it without an import circle.

/**
 * Throws the response that ends a request unless `condition` holds (Epic
 * Stack's `invariantResponse`): 404 unless told otherwise. A string body is
 * plain text; an object is JSON (the .json resources).
 */
export function invariantResponse(condition: unknown, body: string | object, init: number | ResponseInit = 404): asserts condition {
  if (condition) return;
  const { status, headers } = typeof init === "number" ? { status: init, headers: undefined } : init;
  const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  const h = new Headers(headers);
  if (!h.has("Content-Type")) h.set("Content-Type", type);
  throw new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: h });
}
