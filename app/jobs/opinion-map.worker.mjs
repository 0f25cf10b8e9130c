// The opinion-map job's worker thread (app/jobs/background.server.ts starts it): the
// computation takes seconds for a large topic and must not stop the server's
// event loop. Workers do not inherit tsx's loader on Node 20: register it here.
import { register } from "tsx/esm/api";

register();
await import("./opinion-map.job.ts");
