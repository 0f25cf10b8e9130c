import { events, listenForInboxes } from "./events.server";
import { unreadCount } from "./notifications.server";

// Pushes a signed-in person's unread count to their open pages when their
// inbox changes: at most once a second per person, one count shared by all
// of that person's tabs. Changes arrive as events (NOTIFY on PostgreSQL, so
// a reply written on another instance still reaches this one).

/** A person's unread count changes at most once a second: nobody watches it as a hall watches results. */
const MIN_INTERVAL_MS = 1000;

type Listener = (count: string) => void;
type Hub = { listeners: Set<Listener>; timer: NodeJS.Timeout | null; lastSent: number };

const hubs = new Map<string, Hub>();

async function flush(userId: string) {
  const hub = hubs.get(userId);
  if (!hub) return;
  hub.timer = null;
  hub.lastSent = Date.now();
  try {
    const n = String(await unreadCount(userId));
    for (const l of hub.listeners) l(n);
  } catch (err) {
    console.error("inbox stream: could not count", err);
  }
}

function onInboxChanged(userId: string) {
  const hub = hubs.get(userId);
  if (!hub || hub.timer) return;
  const wait = Math.max(0, hub.lastSent + MIN_INTERVAL_MS - Date.now());
  hub.timer = setTimeout(() => void flush(userId), wait);
}

events.on("inbox-changed", onInboxChanged);

/** Subscribes to one person's unread count; answers the count now and the unsubscribe function. */
export async function subscribeToInbox(userId: string, listener: Listener) {
  await listenForInboxes();
  let hub = hubs.get(userId);
  if (!hub) {
    hub = { listeners: new Set(), timer: null, lastSent: 0 };
    hubs.set(userId, hub);
  }
  hub.listeners.add(listener);
  return {
    initial: String(await unreadCount(userId)),
    unsubscribe: () => {
      const h = hubs.get(userId);
      if (!h) return;
      h.listeners.delete(listener);
      if (h.listeners.size === 0) {
        if (h.timer) clearTimeout(h.timer);
        hubs.delete(userId);
      }
    },
  };
}
