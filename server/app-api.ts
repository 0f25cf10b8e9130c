import type { ServerBuild } from "@remix-run/node";
// Types only: at run time the server reaches the app through the build it loads.
import type { ProcessApi } from "../app/process.server";
import type { Config } from "../app/config.server";

export type { Config, ProcessApi };

/** What the build's server entry hands the process (app/process.server.ts). */
export function apiOf(build: ServerBuild): ProcessApi {
  const api = (build.entry.module as unknown as { pulse?: ProcessApi }).pulse;
  if (!api) throw new Error("The build's server entry exports no `pulse`: run `remix build` again.");
  return api;
}
