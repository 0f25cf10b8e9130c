import type { Limits } from "./auth/rate-limits.server";
import type { Auth } from "./auth/session.server";
import type { Config } from "./config.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    auth: Auth;
    cspNonce: string;
    requestId: string;
    /** The client's address: the socket's, or X-Forwarded-For's only when TRUST_PROXY is set. */
    clientIp: string;
    limits: Limits;
    /** The settings this server was started with. */
    settings: Config;
    /**
     * Aborted when the client goes away before the response ends. Long-lived
     * responses listen to this, not to request.signal: Remix hands loaders a
     * copy of the request whose signal follows the original only weakly, and
     * some aborts never arrived (issue 10's stream leak).
     */
    clientGone: AbortSignal;
    /**
     * The HTTP request is a GET. Remix runs loaders after an action with a
     * GET-like copy of the request, so only this says whether a loader may
     * record the reader's own visit: a page redrawn after a refused POST writes nothing.
     */
    isGet: boolean;
    /** Set when the page is drawn to be kept and joined with readers' parts: each <Slot> records itself here (issue 26). */
    slots: Map<string, unknown> | null;
  }
}

export {};
