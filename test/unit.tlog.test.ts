// Issue 25: the Merkle tree, tiles and signed notes, against RFC 6962's
// published vectors and against a second, independent implementation
// written here another way (level by level, an odd node carried up).
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkpointText, keyId, openNote, parseCheckpoint, parseVerifierKey, rawPublicKey, signNote, verifierKey } from "../app/lib/signed-note.server";
import {
  EMPTY_ROOT,
  leafHash,
  MerkleTree,
  nodeHash,
  parseTilePath,
  rootFromStored,
  storedCount,
  tilePath,
  tileWidth,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from "../app/lib/tlog.server";

const vectors = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../shared/reference/rfc6962-vectors.json"), "utf8")) as {
  leaves: string[];
  leafHashes: string[];
  roots: string[];
  emptyRoot: string;
};

/** The tree as levels: pair neighbours, carry an odd last node up unchanged. */
function levels(leaves: Hash[]): Hash[][] {
  const out = [leaves];
  while (out.at(-1)!.length > 1) {
    const below = out.at(-1)!;
    const up: Hash[] = [];
    for (let i = 0; i < below.length; i += 2) up.push(i + 1 < below.length ? nodeHash(below[i], below[i + 1]) : below[i]);
    out.push(up);
  }
  return out;
}

/** The audit path from the levels: the sibling at each level, where there is one. */
function levelPath(tree: Hash[][], index: number): Hash[] {
  const path: Hash[] = [];
  let i = index;
  for (const level of tree.slice(0, -1)) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < level.length) path.push(level[sibling]);
    i = Math.floor(i / 2);
  }
  return path;
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe("RFC 6962 Merkle trees (issue 25)", () => {
  it("match the published vectors: leaf hashes, the roots of sizes 1 to 8, the empty tree", () => {
    const leaves = vectors.leaves.map((hex) => leafHash(Buffer.from(hex, "hex")));
    expect(leaves.map((h) => h.toString("hex"))).toEqual(vectors.leafHashes);
    const tree = new MerkleTree(leaves);
    for (let n = 1; n <= 8; n++) expect(tree.root(n).toString("hex"), `size ${n}`).toBe(vectors.roots[n - 1]);
    expect(EMPTY_ROOT.toString("hex")).toBe(vectors.emptyRoot);
  });

  it("agree with the level-by-level tree on every root, and every inclusion proof, up to 300 leaves", () => {
    const all = leavesOf(300);
    const tree = new MerkleTree(all);
    for (let n = 1; n <= 300; n++) {
      const byLevel = levels(all.slice(0, n));
      const root = byLevel.at(-1)![0];
      expect(tree.root(n).equals(root), `root of ${n}`).toBe(true);
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusion(i, n);
        expect(proof.map((h) => h.toString("hex")), `path of ${i} in ${n}`).toEqual(levelPath(byLevel, i).map((h) => h.toString("hex")));
        expect(verifyInclusion(all[i], i, n, proof, root), `inclusion of ${i} in ${n}`).toBe(true);
      }
    }
  });

  it("prove every tree up to 300 leaves consistent with every smaller one, and refuse what does not follow", () => {
    const all = leavesOf(300);
    const tree = new MerkleTree(all);
    const other = new MerkleTree(all.map((h, i) => (i === 17 ? leafHash(Buffer.from("forged")) : h)));
    for (let n = 1; n <= 300; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistency(m, n);
        expect(verifyConsistency(m, n, tree.root(m), tree.root(n), proof), `${m} -> ${n}`).toBe(true);
        // A rewritten history (leaf 17 changed) is not an extension of the old tree.
        if (m > 17 && n > m) expect(verifyConsistency(m, n, tree.root(m), other.root(n), other.consistency(m, n)), `forged ${m} -> ${n}`).toBe(false);
      }
    }
  });

  it("refuse an inclusion proof for the wrong leaf, index, size or root, and a proof with a hash changed", () => {
    const all = leavesOf(37);
    const tree = new MerkleTree(all);
    const root = tree.root();
    const proof = tree.inclusion(11);
    expect(verifyInclusion(all[11], 11, 37, proof, root)).toBe(true);
    expect(verifyInclusion(all[12], 11, 37, proof, root)).toBe(false);
    expect(verifyInclusion(all[11], 12, 37, proof, root)).toBe(false);
    // The size is authenticated by the checkpoint; a proof only fits trees of its shape (any size from 33 to 64 here).
    expect(verifyInclusion(all[11], 11, 16, proof, root)).toBe(false);
    expect(verifyInclusion(all[11], 11, 37, proof, tree.root(36))).toBe(false);
    const bent = proof.map((h, i) => (i === 2 ? leafHash(Buffer.from("x")) : h));
    expect(verifyInclusion(all[11], 11, 37, bent, root)).toBe(false);
    expect(verifyConsistency(5, 37, tree.root(5), root, [])).toBe(false);
  });
});

describe("tlog-tiles (issue 25)", () => {
  it("spells tile paths as the spec does, and reads back only those spellings", () => {
    expect(tilePath(0, 1234067)).toBe("tile/0/x001/x234/067");
    expect(tilePath(2, 5, 17)).toBe("tile/2/005.p/17");
    expect(tilePath("entries", 0, 1)).toBe("tile/entries/000.p/1");
    expect(parseTilePath("0/x001/x234/067")).toEqual({ level: 0, n: 1234067, width: 256 });
    expect(parseTilePath("entries/012.p/255")).toEqual({ level: "entries", n: 12, width: 255 });
    for (const bad of ["0/1", "0/x000/001", "01/000", "64/000", "0/000.p/0", "0/000.p/256", "0/000.p/012", "0/000/", "../000", "0/x001"]) expect(parseTilePath(bad), bad).toBeNull();
  });

  it("counts tiles as the spec's example: a tree of 70,000", () => {
    const size = 70_000;
    expect(storedCount(size, 0) / 256 | 0).toBe(273);
    expect(tileWidth(size, 0, 273)).toBe(112);
    expect(tileWidth(size, 1, 0)).toBe(256);
    expect(tileWidth(size, 1, 1)).toBe(17);
    expect(tileWidth(size, 2, 0)).toBe(1);
    expect(tileWidth(size, 3, 0)).toBe(0);
    // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
    expect([tileWidth(256, 0, 0), tileWidth(256, 1, 0)]).toEqual([256, 1]);
  });

  it("computes every root from the stored tile hashes alone", async () => {
    const all = leavesOf(256 * 256 + 300);
    const tree = new MerkleTree(all);
    const stored: Hash[][] = [all];
    for (let level = 1; level <= 2; level++) {
      const below = stored[level - 1];
      stored.push(Array.from({ length: Math.floor(below.length / 256) }, (_, i) => new MerkleTree(below.slice(i * 256, i * 256 + 256)).root()));
    }
    const hashAt = async (level: number, from: number, count: number) => stored[level].slice(from, from + count);
    for (const size of [0, 1, 2, 3, 255, 256, 257, 511, 512, 1000, 65535, 65536, 65537, 65836]) {
      expect((await rootFromStored(size, hashAt)).equals(tree.root(size) ?? EMPTY_ROOT), `size ${size}`).toBe(true);
    }
  });
});

describe("signed notes and checkpoints (issue 25)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const name = "pulse.example/log";

  it("sign a checkpoint that verifies with the published verifier key, and nothing altered verifies", () => {
    const text = checkpointText({ origin: name, size: 42, root: leafHash(Buffer.from("r")) });
    const note = signNote(text, name, privateKey);
    const vkey = verifierKey(name, rawPublicKey(publicKey));
    expect(vkey).toMatch(/^pulse\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const verifier = parseVerifierKey(vkey);
    expect(verifier.id.equals(keyId(name, rawPublicKey(publicKey)))).toBe(true);
    const opened = openNote(note, verifier);
    expect(opened).toEqual({ ok: true, text });
    expect(parseCheckpoint(text)).toEqual({ origin: name, size: 42, root: leafHash(Buffer.from("r")) });
    expect(openNote(note.replace("\n42\n", "\n43\n"), verifier)).toMatchObject({ ok: false });
    // Another key with the same name is not the log's.
    const other = generateKeyPairSync("ed25519");
    expect(openNote(signNote(text, name, other.privateKey), verifier)).toEqual({ ok: false, reason: "no signature by the log's key" });
    expect(() => parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/hash/);
  });

  it("read only well-formed checkpoints", () => {
    const root = leafHash(Buffer.from("r")).toString("base64");
    expect(parseCheckpoint(`o\n0\n${root}\n`)?.size).toBe(0);
    for (const bad of [`o\n01\n${root}\n`, `o\n1\n${root}`, `\n1\n${root}\n`, `o\n1\nnot-base64\n`, `o\n1\n${root}\n\n`]) expect(parseCheckpoint(bad), bad).toBeNull();
  });
});
