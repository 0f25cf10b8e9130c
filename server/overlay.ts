import zlib from "node:zlib";
import { contentSecurityPolicy, inlineScripts, scriptHash } from "./csp";

// A kept page joined with one reader's part of it (issue 26,
// docs/decisions/028): the slots the kept render recorded, and the root data
// in its hydration script, replaced by what the app draws for the reader.
//
// The parts every reader shares are compressed once, when the page is kept:
// each is a raw deflate stream ended by a sync flush (byte-aligned, not
// final, no reference to what came before), so streams can follow one
// another. A reader's page compresses only their own parts, then ends the
// gzip member with an empty final block and the CRC and length of the whole.

/** Where a kept page's reader parts are, and the shared parts between them. */
export type Overlay = {
  /** Slot ids in page order; the root data follows the last slot. */
  ids: string[];
  /** The shared parts around them, as UTF-8, one more than the reader parts. */
  shared: Buffer[];
  /** The same, each deflated with a sync flush. */
  deflated: Buffer[];
  /** The hydration script around the root data, and every other inline script's hash, in page order. */
  script: { before: string; after: string; index: number; hashes: string[] };
  /** The app's record of each slot, handed back to it to draw a reader's part. */
  recorded: Map<string, unknown>;
  /** Bytes held, for the cache's cap. */
  bytes: number;
};

const CLOSE = "</pulse-slot>";
const ROOT_KEY = '"loaderData":{"root":';
const deflate = (b: Buffer) => zlib.deflateRawSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH });

/** The join points of a kept page, or null when it has none that can be trusted (readers then get a full render). */
export function overlayOf(html: string, recorded: Map<string, unknown>, anonymousRoot: string): Overlay | null {
  if (recorded.size === 0) return null;
  const marker = ROOT_KEY + anonymousRoot;
  const found = html.indexOf(marker);
  if (found < 0 || html.indexOf(marker, found + 1) >= 0) return null;
  const rootAt = found + ROOT_KEY.length;
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
  if (spans[spans.length - 1].end > rootAt) return null;

  // Inline scripts: the one holding the root data is hashed per reader, the others once.
  const hashes: string[] = [];
  let script: Overlay["script"] | null = null;
  for (const { body, at: bodyAt } of inlineScripts(html)) {
    if (rootAt > bodyAt && rootAt < bodyAt + body.length) {
      script = { before: html.slice(bodyAt, rootAt), after: html.slice(rootAt + anonymousRoot.length, bodyAt + body.length), index: hashes.length, hashes };
      hashes.push("");
    } else hashes.push(scriptHash(body));
  }
  if (!script) return null;

  const cuts = [0, ...spans.flatMap((s) => [s.start, s.end]), rootAt, rootAt + anonymousRoot.length, html.length];
  const shared: Buffer[] = [];
  for (let i = 0; i < cuts.length; i += 2) shared.push(Buffer.from(html.slice(cuts[i], cuts[i + 1])));
  const deflated = shared.map(deflate);
  // The recorded slots hold the route data the page was drawn from: counted as the page's own length, a fair proxy.
  const bytes = shared.reduce((n, b) => n + b.length, 0) + deflated.reduce((n, b) => n + b.length, 0) + (script.before.length + script.after.length) * 2 + html.length;
  return { ids: spans.map((s) => s.id), shared, deflated, script, recorded, bytes };
}

// A reader's small parts (the header, a verdict, the root data: a few hundred bytes) go as stored blocks:
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
export function joinPage(o: Overlay, part: { root: string; slots: Map<string, string> }, gzip: boolean): { body: Buffer; csp: string } {
  const mine = [...o.ids.map((id) => part.slots.get(id)), part.root].map((text, i) => {
    if (text === undefined) throw new Error(`no drawing of slot ${o.ids[i]}`);
    return Buffer.from(text);
  });
  const hashes = o.script.hashes.slice();
  hashes[o.script.index] = scriptHash(o.script.before + part.root + o.script.after);
  const csp = contentSecurityPolicy([...new Set(hashes)]);
  const raw: Buffer[] = [];
  for (let i = 0; i < mine.length; i++) raw.push(o.shared[i], mine[i]);
  raw.push(o.shared[mine.length]);
  if (!gzip) return { body: Buffer.concat(raw), csp };
  let crc = 0;
  let size = 0;
  for (const b of raw) {
    crc = zlib.crc32(b, crc);
    size += b.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  const out: Buffer[] = [GZIP_HEADER];
  for (let i = 0; i < mine.length; i++) out.push(o.deflated[i], ...(mine[i].length <= STORE_UP_TO ? stored(mine[i]) : [deflate(mine[i])]));
  out.push(o.deflated[mine.length], FINAL_BLOCK, trailer);
  return { body: Buffer.concat(out), csp };
}
