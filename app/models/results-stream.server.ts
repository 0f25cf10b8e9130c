import { eq } from "drizzle-orm";
import { db } from "../../db/client";
import { polls, topics } from "../../db/schema";
import { events, listenForChanges } from "./events.server";
import { getPublicResultsById } from "./results.server";
import { fail, type Failure, type Ok } from "./outcome";

// Pushes public aggregates to connected browsers when ballots change: at most
// once per MIN_INTERVAL_MS per topic, one computation shared by all of the topic's streams.

// Half a second: a hall watching the present page sees a vote within a second of it (issue 27).
export const MIN_INTERVAL_MS = 500;

type Listener = (json: string) => void;
type TopicHub = {
  listeners: Set<Listener>;
  timer: NodeJS.Timeout | null;
  /** An update is being computed; changes meanwhile wait for it (`dirty`). */
  busy: boolean;
  dirty: boolean;
  lastSent: number;
  slug: string;
  title: string;
};

const hubs = new Map<number, TopicHub>();
const pollTopic = new Map<number, number>();

async function topicOfPoll(pollId: number): Promise<number | null> {
  let t = pollTopic.get(pollId);
  if (t === undefined) {
    const [row] = await db().select({ topicId: polls.topicId }).from(polls).where(eq(polls.id, pollId));
    if (!row) return null;
    t = row.topicId;
    pollTopic.set(pollId, t);
  }
  return t;
}

async function flush(topicId: number) {
  const hub = hubs.get(topicId);
  if (!hub) return;
  hub.timer = null;
  hub.busy = true;
  hub.dirty = false;
  // Only those listening when the computation began: a later subscriber got
  // its own first message, read after this one, and must not be sent older figures.
  const audience = [...hub.listeners];
  try {
    const json = JSON.stringify(await getPublicResultsById(topicId, hub.slug, hub.title));
    for (const l of audience) if (hub.listeners.has(l)) l(json);
  } catch (err) {
    console.error("results stream: could not compute results", err);
  }
  // Counted from the send, not from the start of the computation, so a slow
  // computation never brings two updates closer than MIN_INTERVAL_MS.
  hub.lastSent = Date.now();
  hub.busy = false;
  if (hub.dirty) schedule(topicId, hub);
}

async function onPollChanged(pollId: number) {
  if (hubs.size === 0) return;
  const topicId = await topicOfPoll(pollId);
  if (topicId === null) return;
  const hub = hubs.get(topicId);
  if (hub) schedule(topicId, hub);
}

function schedule(topicId: number, hub: TopicHub) {
  if (hub.busy) {
    hub.dirty = true;
    return;
  }
  if (hub.timer) return;
  const wait = Math.max(0, hub.lastSent + MIN_INTERVAL_MS - Date.now());
  hub.timer = setTimeout(() => void flush(topicId), wait);
}

events.on("poll-changed", (pollId: number) =>
  onPollChanged(pollId).catch((err) => console.error("results stream: could not route a change", err)),
);

// Open streams, counted from the moment one is admitted until it closes, in
// total and per client address, so a flood cannot hold unbounded memory.
const open = { total: 0, byAddress: new Map<string, number>() };

export type StreamCaps = { total: number; perAddress: number };
export type Admission = Ok<{ release: () => void }> | Failure;

/** How long a refused client should wait before trying again, in seconds. */
const RETRY_AFTER = 30;

/** Admits one more stream for `address`, or says which cap it would pass. `release` is idempotent. */
export function admitStream(address: string, caps: StreamCaps): Admission {
  const mine = open.byAddress.get(address) ?? 0;
  if (mine >= caps.perAddress) return fail("rate_limited", "Too many live-result streams from your address.", undefined, RETRY_AFTER);
  if (open.total >= caps.total) return fail("unavailable", "Too many live-result streams are open; try again shortly.", undefined, RETRY_AFTER);
  open.total++;
  open.byAddress.set(address, mine + 1);
  let released = false;
  return {
    ok: true,
    release: () => {
      if (released) return;
      released = true;
      open.total--;
      const left = (open.byAddress.get(address) ?? 1) - 1;
      if (left > 0) open.byAddress.set(address, left);
      else open.byAddress.delete(address);
    },
  };
}

/** Streams admitted and not yet closed. */
export function openStreamCount(): number {
  return open.total;
}

/** Listeners subscribed to any topic (each open stream holds one). */
export function subscriberCount(): number {
  let n = 0;
  for (const hub of hubs.values()) n += hub.listeners.size;
  return n;
}

/** Subscribes to a topic's updates; returns the unsubscribe function. */
export async function subscribeToResults(topicSlug: string, listener: Listener) {
  const [topic] = await db().select({ id: topics.id, slug: topics.slug, title: topics.title }).from(topics).where(eq(topics.slug, topicSlug));
  if (!topic) return null;
  await listenForChanges();
  let hub = hubs.get(topic.id);
  if (!hub) {
    hub = { listeners: new Set(), timer: null, busy: false, dirty: false, lastSent: 0, slug: topic.slug, title: topic.title };
    hubs.set(topic.id, hub);
  }
  hub.listeners.add(listener);
  const initial = JSON.stringify(await getPublicResultsById(topic.id, topic.slug, topic.title));
  return {
    initial,
    unsubscribe: () => {
      const h = hubs.get(topic.id);
      if (!h) return;
      h.listeners.delete(listener);
      if (h.listeners.size === 0) {
        if (h.timer) clearTimeout(h.timer);
        hubs.delete(topic.id);
      }
    },
  };
}

/** Ends every open stream (graceful shutdown). */
export function closeAllStreams() {
  events.emit("shutdown");
}

export function onShutdown(fn: () => void): () => void {
  events.once("shutdown", fn);
  return () => events.off("shutdown", fn);
}
