import zlib from "node:zlib";
import type { PersonalPart } from "./contract";
import { contentSecurityPolicy, inlineScripts, scriptHash } from "./csp";

// A kept page joined with one reader's part of it (issue 26,
// docs/decisions/028): the slots the kept render recorded, and the data of
// the routes drawn per reader in its hydration script, replaced by what the
// app draws for the reader.
//
// The parts every reader shares are compressed once, when the page is kept:
// each is a raw deflate stream ended by a sync flush (byte-aligned, not
// final, no reference to what came before), so streams can follow one
// another. A reader's page compresses only their own parts, then ends the
// gzip member with an empty final block and the CRC and length of the whole.

/** Where a kept page's reader parts are, and the shared parts between them. */
export type Overlay = {
  /** Slot ids in page order; the per-reader route data follows the last slot. */
  ids: string[];
  /** The shared parts around the reader parts, as UTF-8: one more than the reader parts. */
  shared: Buffer[];
  /** The same, each deflated with a sync flush. */
  deflated: Buffer[];
  /** The hydration script around the per-reader data (one more piece than data), and every other inline script's hash, in page order. */
  script: { pieces: string[]; index: number; hashes: string[] };
  /** The app's record of each slot, handed back to it to draw a reader's part. */
  recorded: Map<string, unknown>;
  /** Bytes held, for the cache's cap. */
  bytes: number;
};

const CLOSE = "</pulse-slot>";
const deflate = (b: Buffer) => zlib.deflateRawSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
// A reader's larger parts (a topic's route data is tens of KB) are compressed per request: at the fastest level.
const deflateFast = (b: Buffer) => zlib.deflateRawSync(b, { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH });

/**
 * The join points of a kept page, or null when it has none that can be
 * trusted (readers then get a full render). `data` is the page's route data
 * as its script carries it, with where each per-reader route's data is in it.
 */
export function overlayOf(html: string, recorded: Map<string, unknown>, data: { text: string; parts: [number, number][] } | null): Overlay | null {
  if (recorded.size === 0 || !data || data.parts.length === 0) return null;
  const found = html.indexOf(data.text);
  if (found < 0 || html.indexOf(data.text, found + 1) >= 0) return null;
  const dataSpans = data.parts.map(([start, end]) => ({ start: found + start, end: found + end }));
  const spans: { id: string; start: number; end: number }[] = [];
  for (const id of recorded.keys()) {
    const open = `<pulse-slot data-slot="${id}">`;
    const start = html.indexOf(open);
    if (start < 0 || html.indexOf(open, start + 1) >= 0) return null;
    const end = html.indexOf(CLOSE, start);
    if (end < 0) return null;
    spans.push({ id, start, end: end + CLOSE.length });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) if (spans[i].start < spans[i - 1].end) return null;
  if (spans[spans.length - 1].end > found) return null;

  // Inline scripts: the one holding the route data is hashed per reader, the others once.
  const hashes: string[] = [];
  let script: Overlay["script"] | null = null;
  for (const { body, at } of inlineScripts(html)) {
    if (found > at && found + data.text.length <= at + body.length) {
      const cuts = [at, ...dataSpans.flatMap((d) => [d.start, d.end]), at + body.length];
      const pieces: string[] = [];
      for (let i = 0; i < cuts.length; i += 2) pieces.push(html.slice(cuts[i], cuts[i + 1]));
      script = { pieces, index: hashes.length, hashes };
      hashes.push("");
    } else hashes.push(scriptHash(body));
  }
  if (!script) return null;

  // The shared parts are views of the page's one copy of its bytes, cut where the reader's parts go.
  const whole = Buffer.from(html);
  const cuts = [0, ...[...spans, ...dataSpans].flatMap((s) => [s.start, s.end]), html.length];
  const at: number[] = [];
  let bytesBefore = 0;
  for (let i = 0; i < cuts.length; i++) {
    bytesBefore += i ? Buffer.byteLength(html.slice(cuts[i - 1], cuts[i])) : 0;
    at.push(bytesBefore);
  }
  const shared: Buffer[] = [];
  for (let i = 0; i < cuts.length; i += 2) shared.push(whole.subarray(at[i], at[i + 1]));
  const deflated = shared.map(deflate);
  // The recorded slots hold the route data the page was drawn from: counted as its length in the script, a fair proxy.
  const bytes = whole.length + deflated.reduce((n, b) => n + b.length, 0) + script.pieces.reduce((n, p) => n + p.length, 0) * 2 + data.text.length;
  return { ids: spans.map((s) => s.id), shared, deflated, script, recorded, bytes };
}

// A reader's small parts (the header, a verdict, a comment's actions: a few hundred bytes) go as stored blocks:
// a deflate context per part would cost more than the bytes it saves.
const STORE_UP_TO = 4096;
function stored(b: Buffer): Buffer[] {
  // Byte-aligned stored block: BFINAL 0, BTYPE 00, then LEN and its complement, then the bytes as they are.
  const head = Buffer.alloc(5);
  head.writeUInt16LE(b.length, 1);
  head.writeUInt16LE(~b.length & 0xffff, 3);
  return [head, b];
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
// An empty final block (fixed Huffman, end of block at once): what zlib writes when asked to finish with nothing left.
const FINAL_BLOCK = Buffer.from([3, 0]);

/** A reader's page: its bytes (gzip or plain) and its policy, the hash of its own changed script included. */
export function joinPage(o: Overlay, part: PersonalPart, gzip: boolean): { body: Buffer; csp: string } {
  if (part.data.length !== o.script.pieces.length - 1) throw new Error("a reader's route data does not fit the kept page");
  const mine = [...o.ids.map((id) => part.slots.get(id)), ...part.data].map((text, i) => {
    if (text === undefined) throw new Error(`no drawing of slot ${o.ids[i]}`);
    return Buffer.from(text);
  });
  const hashes = o.script.hashes.slice();
  hashes[o.script.index] = scriptHash(o.script.pieces.map((p, i) => (i ? part.data[i - 1] : "") + p).join(""));
  const csp = contentSecurityPolicy([...new Set(hashes)]);
  const raw: Buffer[] = [];
  for (let i = 0; i < mine.length; i++) raw.push(o.shared[i], mine[i]);
  raw.push(o.shared[mine.length]);
  if (!gzip) return { body: Buffer.concat(raw), csp };
  let crc = 0;
  let size = 0;
  for (const b of raw) {
    // Node 20's zlib.crc32 answers 0 for an empty buffer with no memory behind it, whatever the CRC so far:
    // two slots side by side leave an empty shared part between them.
    if (b.length === 0) continue;
    crc = zlib.crc32(b, crc);
    size += b.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  const out: Buffer[] = [GZIP_HEADER];
  for (let i = 0; i < mine.length; i++) out.push(o.deflated[i], ...(mine[i].length <= STORE_UP_TO ? stored(mine[i]) : [deflateFast(mine[i])]));
  out.push(o.deflated[mine.length], FINAL_BLOCK, trailer);
  return { body: Buffer.concat(out), csp };
}
