import type { LoaderFunctionArgs } from "@remix-run/node";
import { invariantResponse } from "~/lib/http.server";
import { logHost, logVerifierKey } from "~/models/tlog.server";

// The public key that signs every ballot log's checkpoints, as a signed-note verifier key (name+hash+key).
export async function loader({ context }: LoaderFunctionArgs) {
  const key = await logVerifierKey(logHost(context.settings.PUBLIC_ORIGIN));
  invariantResponse(key, "No ballot log has been signed yet.");
  return new Response(`${key}\n`, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" } });
}
