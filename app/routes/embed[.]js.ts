import type { LoaderFunctionArgs } from "@remix-run/node";
import { embedScript } from "~/lib/embed";

// The script another site loads to place Pulse's embeds (issue 27, docs/embedding.md).
export function loader({ request }: LoaderFunctionArgs) {
  // request.url is built on PUBLIC_ORIGIN (server.ts): the origin the frames load from and messages must come from.
  return new Response(embedScript(new URL(request.url).origin), {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}
