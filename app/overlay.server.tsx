import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { renderToString } from "react-dom/server";
import { keptPage, slotsFor, type CapturedSlot, type JoinHandle, type KeptPage } from "./components/Slot";
import type { RootData } from "./models/viewer.server";

// One reader's part of a kept page (issue 26, docs/decisions/028): the data
// of the page's routes that differ per reader, and every slot, drawn again
// under the contexts the kept render gave them. server/overlay.ts puts them
// in place.

const OPEN = '<pulse-slot data-slot="';
const CLOSE = "</pulse-slot>";

// As Remix escapes the data it writes into the page (@remix-run/server-runtime's markup.js).
const ESCAPES: Record<string, string> = { "&": "\\u0026", ">": "\\u003e", "<": "\\u003c", "\u2028": "\\u2028", "\u2029": "\\u2029" };
export const escapeForScript = (json: string) => json.replace(/[&><\u2028\u2029]/g, (c) => ESCAPES[c]);

type RouteModule = { loader?: (args: LoaderFunctionArgs) => unknown; handle?: JoinHandle };

const moduleOf = (page: KeptPage, id: string) => page.routeModules[id] as RouteModule | undefined;

/** The routes drawn per reader, in the order the page's data lists them: the root, and every route not marked `publicData`. */
function personalRoutes(page: KeptPage): string[] {
  return Object.keys(page.loaderData).filter((id) => page.loaderData[id] !== undefined && (id === "root" || !moduleOf(page, id)?.handle?.publicData));
}

/**
 * The kept page's route data as its hydration script carries it
 * (`"loaderData":{…}`), and where in that text each per-reader route's data
 * is; null when the text cannot be rebuilt exactly (the page is then not joined).
 */
export function keptData(slots: Map<string, unknown>): { text: string; parts: [number, number][] } | null {
  const page = keptPage(slots as Map<string, CapturedSlot>);
  if (!page) return null;
  const personal = new Set(personalRoutes(page));
  let text = '"loaderData":{';
  const parts: [number, number][] = [];
  for (const [id, value] of Object.entries(page.loaderData)) {
    if (value === undefined) continue;
    text += `${text.endsWith("{") ? "" : ","}${escapeForScript(JSON.stringify(id))}:`;
    const json = escapeForScript(JSON.stringify(value));
    if (personal.has(id)) parts.push([text.length, text.length + json.length]);
    text += json;
  }
  text += "}";
  return text === `"loaderData":${escapeForScript(JSON.stringify(page.loaderData))}` ? { text, parts } : null;
}

/**
 * A reader's part of a kept page: each per-reader route's data, escaped as
 * the page's script carries it (in keptData's order), each slot's markup, and
 * whether any of that data is a route's (the page shows it around the slots too).
 * Null when this reader's page cannot be joined: a loader answered with a
 * response (a redirect, a 404), or a route says the page differs outside its slots.
 */
export async function drawPersonal(slots: Map<string, unknown>, context: AppLoadContext, url: string): Promise<{ data: string[]; slots: Map<string, string>; showsOutside: boolean } | null> {
  const recorded = slots as Map<string, CapturedSlot>;
  const page = keptPage(recorded);
  if (!page) return null;
  const loaderData = { ...page.loaderData };
  const data: string[] = [];
  const personal = personalRoutes(page);
  for (const id of personal) {
    const match = page.matches.find((m) => m.route.id === id);
    const loader = moduleOf(page, id)?.loader;
    if (!match || !loader) return null;
    let value: unknown;
    try {
      value = await loader({ request: new Request(url), params: match.params, context });
    } catch (thrown) {
      if (thrown instanceof Response) return null;
      throw thrown;
    }
    if (value instanceof Response || value === undefined) return null;
    // As the client will have it: through JSON, as Remix sends it.
    const json = JSON.stringify(value);
    loaderData[id] = JSON.parse(json);
    data.push(escapeForScript(json));
  }
  for (const { route } of page.matches) {
    if (moduleOf(page, route.id)?.handle?.joinable?.(loaderData[route.id] as never, page.loaderData[route.id] as never, loaderData.root as RootData) === false) return null;
  }

  const html = renderToString(<>{slotsFor(recorded, loaderData)}</>);
  const drawn = new Map<string, string>();
  let at = 0;
  for (const id of recorded.keys()) {
    const start = html.indexOf(`${OPEN}${id}"`, at);
    const end = html.indexOf(CLOSE, start) + CLOSE.length;
    if (start < 0 || end < CLOSE.length) throw new Error(`slot ${id} missing from its own drawing`);
    drawn.set(id, html.slice(start, end));
    at = end;
  }
  return { data, slots: drawn, showsOutside: personal.some((id) => id !== "root") };
}
