import { UNSAFE_RemixContext, useRouteLoaderData } from "@remix-run/react";
import { createContext, Fragment, useContext, type Context, type ReactNode } from "react";
import {
  UNSAFE_DataRouterContext,
  UNSAFE_DataRouterStateContext,
  UNSAFE_FetchersContext,
  UNSAFE_LocationContext,
  UNSAFE_NavigationContext,
  UNSAFE_RouteContext,
  UNSAFE_ViewTransitionContext,
} from "react-router-dom";
import type { RootData } from "~/models/viewer.server";
import { NonceContext, RequestIdContext } from "~/nonce";

// A page many people share, with the few parts that differ per reader drawn
// per reader (issue 26, docs/decisions/028). Each such part is a <Slot>: on
// the kept page it holds what an anonymous reader sees; for a signed-in
// reader the server draws only the slots again, with that reader's route data
// (the root's, and that of every route not marked `publicData`), and puts
// them in place of the anonymous ones. So a slot's content reads the page's
// data from context (useLoaderData, useViewer), never from props drawn
// outside it.

/** The contexts a slot's components read, as they stood where the slot is in the kept render. */
const CAPTURED = [
  UNSAFE_RemixContext,
  UNSAFE_DataRouterContext,
  UNSAFE_DataRouterStateContext,
  UNSAFE_FetchersContext,
  UNSAFE_ViewTransitionContext,
  UNSAFE_NavigationContext,
  UNSAFE_LocationContext,
  UNSAFE_RouteContext,
  NonceContext,
  RequestIdContext,
] as Context<unknown>[];

/** A slot as the kept render drew it: its element and the context values around it. */
export type CapturedSlot = { element: ReactNode; values: unknown[] };

/** Present while a page is drawn to be kept: every slot records itself in it. */
export const SlotRecorder = createContext<Map<string, CapturedSlot> | null>(null);
const InSlot = createContext(false);

/** The element a slot is, on the page and when drawn alone: a tag no other markup uses, so its end is the next `</pulse-slot>`. */
function SlotElement({ id, children }: { id: string; children: ReactNode }) {
  return (
    <pulse-slot data-slot={id}>
      <InSlot.Provider value={true}>{children}</InSlot.Provider>
    </pulse-slot>
  );
}

export function Slot({ id, children }: { id: string; children: ReactNode }) {
  const recorder = useContext(SlotRecorder);
  // A fixed list, read in the same order on every render.
  // eslint-disable-next-line react-hooks/rules-of-hooks
  const values = CAPTURED.map((c) => useContext(c));
  if (recorder) {
    if (recorder.has(id)) throw new Error(`Two slots named ${id} on one page`);
    recorder.set(id, { element: children, values });
  }
  return <SlotElement id={id}>{children}</SlotElement>;
}

/**
 * The reader's own data (the root loader's). On a page drawn to be kept it
 * may be read only inside a slot: anything else on that page is the same for
 * every reader, and reading the reader there is a bug this stops at once.
 */
export function useViewer(): RootData {
  const recording = useContext(SlotRecorder) !== null;
  const inSlot = useContext(InSlot);
  if (recording && !inSlot) throw new Error("A kept page read the reader's data outside a <Slot>");
  return useRouteLoaderData<RootData>("root") ?? { user: null, mine: null };
}

/**
 * What a route module may say about joined pages, as its `handle`:
 * - `publicData`: its loader draws the same for every reader (the results
 *   page's), so a reader's part leaves its data as kept;
 * - `joinable(reader, kept, root)`: whether this reader's page (their data
 *   for the route, and their root data) differs from the kept one only inside
 *   slots. A moderator's thread, "new" marks on comments, and data drawn
 *   across a minute's turn do not: those readers get a full render.
 */
export type JoinHandle = {
  publicData?: boolean;
  joinable?: (reader: never, kept: never, root: RootData) => boolean;
};

/** What the kept render drew from: its route matches, each route's module and data. */
export type KeptPage = {
  matches: { route: { id: string }; params: Record<string, string | undefined> }[];
  loaderData: Record<string, unknown>;
  routeModules: Record<string, { loader?: unknown; handle?: unknown } | undefined>;
};

/** The page a kept render's slots stood in (every slot of one render saw the same). */
export function keptPage(slots: Map<string, CapturedSlot>): KeptPage | null {
  const first = slots.values().next().value;
  if (!first) return null;
  const state = first.values[CAPTURED.indexOf(UNSAFE_DataRouterStateContext as Context<unknown>)] as Pick<KeptPage, "matches" | "loaderData"> | null;
  const remix = first.values[CAPTURED.indexOf(UNSAFE_RemixContext as Context<unknown>)] as Pick<KeptPage, "routeModules"> | null;
  if (!state || !remix) return null;
  return { matches: state.matches, loaderData: state.loaderData, routeModules: remix.routeModules };
}

/** Every recorded slot, each under the contexts it had, with the route data replaced by one reader's. */
export function slotsFor(slots: Map<string, CapturedSlot>, loaderData: Record<string, unknown>): ReactNode {
  const stateAt = CAPTURED.indexOf(UNSAFE_DataRouterStateContext as Context<unknown>);
  return [...slots].map(([id, slot]) => {
    let node: ReactNode = <SlotElement id={id}>{slot.element}</SlotElement>;
    for (let i = CAPTURED.length - 1; i >= 0; i--) {
      let value = slot.values[i];
      if (i === stateAt && value) value = { ...(value as object), loaderData };
      const Provider = CAPTURED[i].Provider;
      node = <Provider value={value}>{node}</Provider>;
    }
    return <Fragment key={id}>{node}</Fragment>;
  });
}
