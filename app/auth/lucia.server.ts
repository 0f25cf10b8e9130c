import { Lucia, TimeSpan, type Adapter, type DatabaseSession } from "lucia";
import { config } from "../config.server";
import type { Role } from "../../db/schema/domain";
import * as store from "../models/sessions.server";

// Lucia is deprecated upstream; everything that touches it lives in app/auth
// so it can be replaced in one place (docs/decisions/003).

const toLucia = (s: store.SessionRow): DatabaseSession => ({
  id: s.id,
  userId: s.userId,
  expiresAt: new Date(s.expiresAt * 1000),
  attributes: { createdAt: s.createdAt },
});

// Lucia's adapter over the sessions model, so sessions work the same on both
// engines and Lucia never touches a connection.
const adapter: Adapter = {
  async getSessionAndUser(id) {
    const found = await store.findSession(id);
    if (!found) return [null, null];
    const { id: userId, ...attributes } = found.user;
    return [toLucia(found.session), { id: userId, attributes }];
  },
  getUserSessions: async (userId) => (await store.sessionsOf(userId)).map(toLucia),
  setSession: (s) =>
    store.storeSession({ id: s.id, userId: s.userId, expiresAt: Math.floor(s.expiresAt.getTime() / 1000), createdAt: s.attributes.createdAt }),
  updateSessionExpiration: (id, expiresAt) => store.extendSession(id, Math.floor(expiresAt.getTime() / 1000)),
  deleteSession: (id) => store.dropSession(id),
  deleteUserSessions: (userId) => store.dropSessionsOf(userId),
  deleteExpiredSessions: async () => {
    await store.dropExpiredSessions(Math.floor(Date.now() / 1000));
  },
};

function createLucia() {
  const production = config().NODE_ENV === "production";
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

// One Lucia per settings object: its cookie depends on NODE_ENV.
const perConfig = new WeakMap<object, ReturnType<typeof createLucia>>();

export function lucia() {
  const cfg = config();
  let instance = perConfig.get(cfg);
  if (!instance) {
    instance = createLucia();
    perConfig.set(cfg, instance);
  }
  return instance;
}

export type { Session, User } from "lucia";
