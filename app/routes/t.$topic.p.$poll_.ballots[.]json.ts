import type { LoaderFunctionArgs } from "@remix-run/node";
import { ballotLogResponse } from "~/lib/ballot-log-response.server";
import { ballotLogRows, getBallotLog } from "~/models/ballot-log.server";

// The poll's public ballot log; documented in docs/ballot-log.md.
export async function loader({ params, request }: LoaderFunctionArgs) {
  return ballotLogResponse(await getBallotLog(params.topic ?? "", params.poll ?? ""), ballotLogRows, request, "json");
}
