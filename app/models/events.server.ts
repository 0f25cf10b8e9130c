import { EventEmitter } from "node:events";

// In-process notifications that results changed; the results stream listens.
// Lives on globalThis so the server build and server.ts share one emitter.
const holder = globalThis as unknown as { __pulseEvents?: EventEmitter };
export const events = (holder.__pulseEvents ??= new EventEmitter().setMaxListeners(0));

export function notifyPollChanged(pollId: number): void {
  events.emit("poll-changed", pollId);
}
