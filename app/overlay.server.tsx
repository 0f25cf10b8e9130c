import { renderToString } from "react-dom/server";
import { slotsFor, type CapturedSlot } from "./components/Slot";
import { rootData } from "./models/viewer.server";

// One reader's part of a kept page (issue 26, docs/decisions/028): the root
// data and every slot, drawn again under the contexts the kept render gave
// them. server/overlay.ts puts them in place.

const OPEN = '<pulse-slot data-slot="';
const CLOSE = "</pulse-slot>";

// As Remix escapes the data it writes into the page (@remix-run/server-runtime's markup.js).
const ESCAPES: Record<string, string> = { "&": "\\u0026", ">": "\\u003e", "<": "\\u003c", "\u2028": "\\u2028", "\u2029": "\\u2029" };
export const escapeForScript = (json: string) => json.replace(/[&><\u2028\u2029]/g, (c) => ESCAPES[c]);

/** The reader's root data as the page's script carries it, and each slot's markup, element included. */
export async function drawPersonal(slots: Map<string, unknown>, user: { id: string; username: string; role: string }, pathname: string) {
  const root = await rootData(user, pathname);
  const html = renderToString(<>{slotsFor(slots as Map<string, CapturedSlot>, root)}</>);
  const drawn = new Map<string, string>();
  let at = 0;
  for (const id of slots.keys()) {
    const start = html.indexOf(`${OPEN}${id}"`, at);
    const end = html.indexOf(CLOSE, start) + CLOSE.length;
    if (start < 0 || end < CLOSE.length) throw new Error(`slot ${id} missing from its own drawing`);
    drawn.set(id, html.slice(start, end));
    at = end;
  }
  return { root: escapeForScript(JSON.stringify(root)), slots: drawn };
}
