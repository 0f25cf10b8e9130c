import type { AppLoadContext, ServerBuild } from "@remix-run/node";

// What the server needs from the app, declared here, on the server's side:
// the server names no module of `app/` or `db/`, not even for types. The app
// hands it over as `pulse` from its build's server entry
// (app/process.server.ts); test/unit.structure.test.ts checks that the app's
// `pulse` is a ProcessApi.

/** The settings the process started with (routes get them as context.settings). */
export type Config = AppLoadContext["settings"];
type Limits = AppLoadContext["limits"];
/** Who a request is from, as the app read its session. */
export type Auth = AppLoadContext["auth"];
/**
 * A reader's part of a kept page: their route data and their slots.
 * `showsOutside`: some of that data (a route's, not only the root's) is also
 * what the page shows around the slots, so it must be of the kept page's version.
 */
export type PersonalPart = { data: string[]; slots: Map<string, string>; showsOutside: boolean };

/** What a public page is drawn from, for the shared-page cache. */
export type PageScope = { site: true } | { topic: string } | { comment: number };

export interface ProcessApi {
  /** The settings from the environment, or what is wrong with them. */
  loadConfig(): { ok: true; config: Config } | { ok: false; message: string };
  parseConfig(env: Record<string, string | undefined>): Config;
  allowedOrigins(cfg: Config, port: number): { publicOrigin: string; origins: Set<string>; hosts: Set<string> };
  /** Opens, migrates and (unless SEED=false) seeds the configured database. */
  prepareDatabase(cfg: Config): Promise<void>;
  /** Opens the configured database as it is. */
  openDatabase(cfg: Config): void;
  closeDatabase(): Promise<void>;
  /** Starts the background work (session purge, ballot-log integration, opinion maps); answers how to stop it. */
  startBackgroundJobs(cfg: Config, root: string): Promise<() => void>;
  closeAllStreams(): void;
  /** Storage failures take /healthz down until a write works again. */
  noteFailure(err: unknown): void;
  limitsFor(cfg: Config): Limits;
  /** Takes a point from a limit every request passes; a refusal says how long to wait. */
  admit(limits: Limits, which: "perAddress" | "perUserWrite", key: string, what: string): Promise<{ retryAfter: number; message: string } | null>;
  authenticate(cookieHeader: string | undefined): Promise<Auth>;
  /** A session or guest cookie, valid or not: such a request is never served a page shared by everyone. */
  hasPersonalCookie(cookieHeader: string | undefined): boolean;
  /** CSRF: a state-changing request carries our own Origin. */
  isAllowedOrigin(method: string, origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean;
  /** A path on this site, or null. */
  sitePath(to: string): string | null;
  /** The data version a public page in this scope is drawn from; null when it may not be shared. */
  pageVersion(scope: PageScope, now: number): Promise<string | null>;
  /**
   * One reader's part of a kept page (issue 26): the data of each route drawn
   * per reader, escaped as the page's script carries it, and each recorded
   * slot's markup; null when this reader's page cannot be joined.
   */
  drawPersonal(slots: Map<string, unknown>, context: AppLoadContext, url: string): Promise<PersonalPart | null>;
  /** A kept page's route data as its script carries it, and where each per-reader route's data is in that text. */
  keptData(slots: Map<string, unknown>): { text: string; parts: [number, number][] } | null;
}

/** What the build's server entry hands the process. */
export function apiOf(build: ServerBuild): ProcessApi {
  const api = (build.entry.module as unknown as { pulse?: ProcessApi }).pulse;
  if (!api) throw new Error("The build's server entry exports no `pulse`: run `remix build` again.");
  return api;
}
