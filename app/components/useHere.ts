import { useLocation } from "@remix-run/react";

// One-shot notices that must not survive into the next redirect.
const NOTICES = ["voted", "withdrawn", "reported", "posted"];

/** The current page, as a path to come back to after a form post. */
export function useHere(): string {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  for (const n of NOTICES) params.delete(n);
  const q = params.toString();
  return location.pathname + (q ? `?${q}` : "");
}
