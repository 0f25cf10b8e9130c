import type { LoaderFunctionArgs } from "@remix-run/node";
import { ballotLogResponse } from "~/lib/ballot-log-response.server";

// The poll's public ballot log; documented in docs/ballot-log.md.
export const loader = (args: LoaderFunctionArgs) => ballotLogResponse(args, "json");
