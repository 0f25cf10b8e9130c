import type { Auth } from "./auth/session.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    auth: Auth;
    cspNonce: string;
    requestId: string;
  }
}

export {};
