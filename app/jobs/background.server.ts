import path from "node:path";
import { Worker } from "node:worker_threads";
import { purgeExpiredSessions } from "../auth/session.server";
import type { Config } from "../config.server";
import { exclusively } from "../../db/client";
import { integrateLogsOnce, logHost } from "../models/tlog.server";

/** The hourly purge has one owner at a time: with several instances, whichever holds the lock. */
const PURGE_LOCK = 7_011_2025;
const purgeSessions = () => exclusively(PURGE_LOCK, purgeExpiredSessions);

/**
 * Starts the process's background work and answers how to stop it:
 * - expired sessions are purged now and every hour;
 * - ballot logs' pending entries are integrated and checkpoints signed;
 * - opinion maps are computed in a worker thread with its own connection,
 *   never on a request's path nor on this event loop, one run at a time.
 * `root` is the project's directory (the worker's file is read from source).
 */
export async function startBackgroundJobs(cfg: Config, root: string): Promise<() => void> {
  await purgeSessions();
  const purge = setInterval(() => void purgeSessions().catch((err) => console.error("session purge failed", err)), 3600_000);
  purge.unref();
  let mapping: Worker | null = null;
  const mapMaps = () => {
    if (mapping) return;
    const worker = new Worker(path.join(root, "app/jobs/opinion-map.worker.mjs"), { workerData: { target: cfg.DATABASE_URL ?? cfg.DATABASE_PATH } });
    mapping = worker;
    worker.on("error", (err) => console.error("opinion map job failed", err));
    worker.on("exit", () => (mapping = null));
  };
  // Ballot logs: pending entries join their trees, vote deltas fold into the counters, and checkpoints
  // are signed, four times a second (Tessera's 250 ms): a vote is in a signed checkpoint well within 2 s.
  const host = logHost(cfg.PUBLIC_ORIGIN);
  let integrating = false;
  let stopped = false;
  const integrate = setInterval(() => {
    if (integrating) return;
    integrating = true;
    integrateLogsOnce(host)
      // A pass cut short by the shutdown closing the database loses only its open transaction; the next start redoes it.
      .catch((err) => stopped || console.error("ballot log integration failed", err))
      .finally(() => (integrating = false));
  }, 250);
  integrate.unref();
  const maps = cfg.OPINION_MAP_INTERVAL_MS > 0 ? setInterval(mapMaps, cfg.OPINION_MAP_INTERVAL_MS) : undefined;
  maps?.unref();
  if (maps) mapMaps();
  return () => {
    stopped = true;
    clearInterval(purge);
    clearInterval(integrate);
    clearInterval(maps);
    void mapping?.terminate();
  };
}
