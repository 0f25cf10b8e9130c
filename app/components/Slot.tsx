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
// reader the server draws only the slots again, with that reader's root data,
// and puts them in place of the anonymous ones.

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

/** Every recorded slot, each under the contexts it had, with the root data replaced by one reader's. */
export function slotsFor(slots: Map<string, CapturedSlot>, root: RootData): ReactNode {
  const stateAt = CAPTURED.indexOf(UNSAFE_DataRouterStateContext as Context<unknown>);
  return [...slots].map(([id, slot]) => {
    let node: ReactNode = <SlotElement id={id}>{slot.element}</SlotElement>;
    for (let i = CAPTURED.length - 1; i >= 0; i--) {
      let value = slot.values[i];
      if (i === stateAt && value) {
        const state = value as { loaderData: Record<string, unknown> };
        value = { ...state, loaderData: { ...state.loaderData, root } };
      }
      const Provider = CAPTURED[i].Provider;
      node = <Provider value={value}>{node}</Provider>;
    }
    return <Fragment key={id}>{node}</Fragment>;
  });
}
