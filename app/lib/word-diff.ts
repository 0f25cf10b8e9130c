import { diffWordsWithSpace } from "diff";

export type DiffPart = { text: string; op: "same" | "add" | "del" };

/** Word-level changes from `before` to `after` (jsdiff), as parts to show in order. */
export function wordDiff(before: string, after: string): DiffPart[] {
  return diffWordsWithSpace(before, after).map((c) => ({ text: c.value, op: c.added ? "add" : c.removed ? "del" : "same" }));
}
