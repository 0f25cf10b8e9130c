import type { HeadersFunction } from "@remix-run/node";

/** Keeps an action's Retry-After (429) on the page Remix renders for a form post. */
export const keepRetryAfter: HeadersFunction = ({ actionHeaders, loaderHeaders }) =>
  actionHeaders.has("Retry-After") ? actionHeaders : loaderHeaders;
