import { DrizzleSQLiteAdapter } from "@lucia-auth/adapter-drizzle";
import { Lucia, TimeSpan } from "lucia";
import { db, type DB } from "../../db/client";
import { sessions, users } from "../../db/schema/sqlite";
import { config } from "../config.server";
import type { Role } from "../../db/schema/domain";

// Lucia is deprecated upstream; everything that touches it lives in app/auth
// so it can be replaced in one place (docs/decisions/003).

function createLucia(conn: DB) {
  const production = config().NODE_ENV === "production";
  const adapter = new DrizzleSQLiteAdapter(conn, sessions, users);
  return new Lucia(adapter, {
    sessionExpiresIn: new TimeSpan(30, "d"),
    sessionCookie: {
      // __Host- requires Secure and Path=/ and forbids Domain: the browser
      // then refuses the cookie from any subdomain or plain-HTTP origin.
      name: production ? "__Host-pulse_session" : "pulse_session",
      attributes: { secure: production, sameSite: "lax" },
    },
    getUserAttributes: (a) => ({ username: a.username, role: a.role, banned: a.banned }),
    getSessionAttributes: (a) => ({ createdAt: a.createdAt }),
  });
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    DatabaseUserAttributes: { username: string; role: Role; banned: boolean };
    DatabaseSessionAttributes: { createdAt: number };
  }
}

const perConnection = new WeakMap<DB, ReturnType<typeof createLucia>>();

export function lucia() {
  const conn = db();
  let instance = perConnection.get(conn);
  if (!instance) {
    instance = createLucia(conn);
    perConnection.set(conn, instance);
  }
  return instance;
}

export type { Session, User } from "lucia";
