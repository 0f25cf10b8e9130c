import type { LoaderFunctionArgs } from "@remix-run/node";
import { failureResponse, invariantResponse } from "~/lib/http.server";
import { parseTilePath } from "~/lib/tlog.server";
import { getBallotLog } from "~/models/ballot-log.server";
import { entryBundle, hashTile } from "~/models/tlog.server";

// Hash tiles and entry bundles of the poll's log, as C2SP tlog-tiles lays
// them out: /log/tile/<L>/<N>[.p/<W>] and /log/tile/entries/<N>[.p/<W>].
export async function loader({ params }: LoaderFunctionArgs) {
  const tile = parseTilePath(params["*"] ?? "");
  invariantResponse(tile, "No such tile.");
  const log = await getBallotLog(params.topic ?? "", params.poll ?? "");
  if (!log.ok) failureResponse(log);
  const body = tile.level === "entries" ? await entryBundle(log.pollId, tile.n, tile.width) : await hashTile(log.pollId, tile.level, tile.n, tile.width);
  invariantResponse(body, "Not in the log yet.");
  // A tile of a given width never changes: caches may keep it for good.
  return new Response(new Uint8Array(body), { headers: { "Content-Type": "application/octet-stream", "Cache-Control": "public, max-age=31536000, immutable" } });
}
