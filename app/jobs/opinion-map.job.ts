// Recomputes the opinion maps that are due (decision 018), on a connection
// of its own, in a worker thread: see opinion-map.worker.mjs.
import { parentPort, workerData } from "node:worker_threads";
import { refreshDueOpinionMaps } from "../models/opinion-map.server";
import { closeDatabase, setDatabase } from "../../db/client";

const { target } = workerData as { target: string };
setDatabase(target, { poolSize: 2 });
try {
  const done = await refreshDueOpinionMaps();
  parentPort?.postMessage({ done });
} finally {
  await closeDatabase();
}
