import { createHash } from "node:crypto";

// RFC 6962 (and RFC 9162, section 2.1) Merkle trees, and the C2SP
// tlog-tiles layout, written small from the RFC: npm has no well-kept
// implementation (issue 25). Hashes are 32-byte Buffers.

export type Hash = Buffer;

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** MTH({d}) = SHA-256(0x00 || d). */
export const leafHash = (entry: Uint8Array): Hash => sha256(LEAF, entry);

/** MTH(D[n]) = SHA-256(0x01 || MTH(left) || MTH(right)). */
export const nodeHash = (left: Hash, right: Hash): Hash => sha256(NODE, left, right);

/** The hash of an empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = sha256();

/** The largest power of two smaller than n (n > 1): where RFC 6962 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * A tree over a list of leaf hashes, answering roots and proofs for any size
 * up to the list's length (RFC 6962, 2.1). Subtree hashes are remembered, so
 * a proof costs a few lookups once the tree has been walked.
 */
export class MerkleTree {
  private readonly memo = new Map<string, Hash>();
  constructor(readonly leaves: readonly Hash[]) {}

  /** MTH(D[start:end]). */
  hash(start: number, end: number): Hash {
    if (end - start === 1) return this.leaves[start];
    if (end === start) return EMPTY_ROOT;
    const key = `${start}:${end}`;
    let h = this.memo.get(key);
    if (!h) {
      const k = start + splitPoint(end - start);
      h = nodeHash(this.hash(start, k), this.hash(k, end));
      this.memo.set(key, h);
    }
    return h;
  }

  /** The root of the first `size` leaves. */
  root(size = this.leaves.length): Hash {
    return this.hash(0, size);
  }

  /** The audit path of leaf `index` in the tree of the first `size` leaves (RFC 6962, 2.1.1), leaf side first. */
  inclusion(index: number, size = this.leaves.length): Hash[] {
    if (index < 0 || index >= size || size > this.leaves.length) throw new RangeError("index outside the tree");
    const path = (m: number, start: number, end: number): Hash[] => {
      if (end - start <= 1) return [];
      const k = start + splitPoint(end - start);
      return m < k ? [...path(m, start, k), this.hash(k, end)] : [...path(m, k, end), this.hash(start, k)];
    };
    return path(index, 0, size);
  }

  /** The consistency proof from the first `m` leaves to the first `size` (RFC 6962, 2.1.2). */
  consistency(m: number, size = this.leaves.length): Hash[] {
    if (m < 1 || m > size || size > this.leaves.length) throw new RangeError("old size outside the tree");
    const sub = (mm: number, start: number, end: number, complete: boolean): Hash[] => {
      if (start + mm === end) return complete ? [] : [this.hash(start, end)];
      const k = splitPoint(end - start);
      return mm <= k ? [...sub(mm, start, start + k, complete), this.hash(start + k, end)] : [...sub(mm - k, start + k, end, false), this.hash(start, start + k)];
    };
    return sub(m, 0, size, true);
  }
}

/** The root of a list of leaf hashes. */
export const rootOf = (leaves: readonly Hash[]): Hash => new MerkleTree(leaves).root();

/**
 * The two indexes RFC 9162's verifiers walk up the tree: fn (the node on
 * the path) and sn (the last node of the tree), both halved at each level.
 */
class Walk {
  constructor(
    public fn: number,
    public sn: number,
  ) {}
  up() {
    this.fn = Math.floor(this.fn / 2);
    this.sn = Math.floor(this.sn / 2);
  }
  /** "If LSB(fn) is set or fn equals sn": the path's hash goes on the left. */
  get left() {
    return this.fn % 2 === 1 || this.fn === this.sn;
  }
  /** After a left step from an even fn: up until fn is odd or 0 (levels where the node had no right sibling). */
  skipLonely() {
    if (this.fn % 2 === 0) while (this.fn % 2 === 0 && this.fn !== 0) this.up();
  }
}

/** Checks an inclusion proof (RFC 9162, 2.1.3.2): answers whether `leaf` is at `index` in the tree of `size` with `root`. */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (index < 0 || index >= size) return false;
  const w = new Walk(index, size - 1);
  let r = leaf;
  for (const p of proof) {
    if (w.sn === 0) return false;
    if (w.left) {
      r = nodeHash(p, r);
      w.skipLonely();
    } else {
      r = nodeHash(r, p);
    }
    w.up();
  }
  return w.sn === 0 && r.equals(root);
}

/** Checks a consistency proof (RFC 9162, 2.1.4.2): the tree of `size2` with `root2` extends the one of `size1` with `root1`. */
export function verifyConsistency(size1: number, size2: number, root1: Hash, root2: Hash, proof: readonly Hash[]): boolean {
  if (size1 < 1 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (proof.length === 0) return false;
  // When the old tree is a complete subtree of the new one, its root starts the path.
  const path = Number.isInteger(Math.log2(size1)) ? [root1, ...proof] : [...proof];
  const w = new Walk(size1 - 1, size2 - 1);
  while (w.fn % 2 === 1) w.up();
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (w.sn === 0) return false;
    if (w.left) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      w.skipLonely();
    } else {
      sr = nodeHash(sr, c);
    }
    w.up();
  }
  return w.sn === 0 && fr.equals(root1) && sr.equals(root2);
}

// ---------------------------------------------------------------- tiles

/** Hashes in a full tile (tiles are 8 levels high). */
export const TILE_WIDTH = 256;

/** "x001/x234/067" for 1234067: zero-padded 3-digit path elements, all but the last starting with x. */
export function tileIndexPath(n: number): string {
  const digits = String(n);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, "0");
  const parts = padded.match(/.{3}/g)!;
  return parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join("/");
}

/** The path of a tile under the log's prefix: `tile/<L>/<N>[.p/<W>]`, or `tile/entries/<N>[.p/<W>]` for a bundle. */
export function tilePath(level: number | "entries", n: number, width = TILE_WIDTH): string {
  return `tile/${level}/${tileIndexPath(n)}${width < TILE_WIDTH ? `.p/${width}` : ""}`;
}

/** Reads `<L or entries>/<N>[.p/<W>]` (after `tile/`), or null when it is not a tile path the spec allows. */
export function parseTilePath(rest: string): { level: number | "entries"; n: number; width: number } | null {
  const m = /^(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/.exec(rest);
  if (!m) return null;
  const level = m[1] === "entries" ? "entries" : Number(m[1]);
  if (level !== "entries" && level > 63) return null;
  const n = Number(m[2].replace(/[x/]/g, "") + m[3]);
  // No leading zero groups: 1234067 has exactly one spelling.
  if (tileIndexPath(n) !== m[2] + m[3] || !Number.isSafeInteger(n)) return null;
  // A partial tile holds 1 to 255 hashes; a full one has no suffix.
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (width < 1 || width >= TILE_WIDTH + (m[4] === undefined ? 1 : 0)) return null;
  return { level, n, width };
}

/**
 * The stored hashes a tree of `size` needs at `level`: level 0 holds leaf
 * hashes; each hash at level l covers 256^l leaves (a full tile below it).
 */
export function storedCount(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** The width of the (partial) tile `n` at `level` in a tree of `size`, 0 when the tile is not there yet. */
export function tileWidth(size: number, level: number, n: number): number {
  return Math.max(0, Math.min(TILE_WIDTH, storedCount(size, level) - n * TILE_WIDTH));
}

/**
 * The root of a tree of `size` from its stored hashes: `hashAt(level, index)`
 * answers the stored hash at that level (0: leaves). The tree splits into
 * complete subtrees, largest first; each is the root of 2^r hashes at the
 * level whose blocks it is made of.
 */
export async function rootFromStored(size: number, hashAt: (level: number, from: number, count: number) => Promise<Hash[]>): Promise<Hash> {
  if (size === 0) return EMPTY_ROOT;
  const subtrees: Hash[] = [];
  let offset = 0;
  for (let bit = Math.floor(Math.log2(size)); bit >= 0; bit--) {
    const span = 2 ** bit;
    if (Math.floor(size / span) % 2 === 0) continue;
    const level = Math.floor(bit / 8);
    const per = TILE_WIDTH ** level;
    subtrees.push(rootOf(await hashAt(level, offset / per, span / per)));
    offset += span;
  }
  let root = subtrees[subtrees.length - 1];
  for (let i = subtrees.length - 2; i >= 0; i--) root = nodeHash(subtrees[i], root);
  return root;
}
