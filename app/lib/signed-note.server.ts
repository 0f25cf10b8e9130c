import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

// C2SP signed notes with Ed25519 (c2sp.org/signed-note) and the checkpoints
// a tiled log signs (c2sp.org/tlog-checkpoint).

const ED25519 = 0x01;
const DER_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: "der", type: "spki" });
  return Buffer.from(der.subarray(der.length - 32));
}

function publicKeyOf(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([DER_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash("sha256").update(name).update(Buffer.from([0x0a, ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** A key name is non-empty and holds no space or plus. */
const validName = (name: string) => name.length > 0 && !/[\s+]/u.test(name);

/** The verifier key others configure: `<name>+<key ID, 8 hex digits>+<base64(0x01 || public key)>`. */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  if (!validName(name)) throw new Error("a key name has no spaces or plus signs");
  return `${name}+${keyId(name, publicKey).toString("hex")}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString("base64")}`;
}

export type Verifier = { name: string; id: Buffer; key: KeyObject };

/** Reads a verifier key; throws on anything but an Ed25519 key whose ID matches. */
export function parseVerifierKey(vkey: string): Verifier {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(vkey.trim());
  if (!m) throw new Error("not a verifier key (name+hash+key)");
  const data = Buffer.from(m[3], "base64");
  if (data.length !== 33 || data[0] !== ED25519) throw new Error("not an Ed25519 verifier key");
  const raw = data.subarray(1);
  const id = keyId(m[1], raw);
  if (id.toString("hex") !== m[2]) throw new Error("the verifier key's hash does not match its key");
  return { name: m[1], id, key: publicKeyOf(raw) };
}

/** Signs a note's text (which ends in a newline) with an Ed25519 private key (PKCS#8 DER or a KeyObject). */
export function signNote(text: string, name: string, privateKey: KeyObject | Buffer): string {
  if (!text.endsWith("\n")) throw new Error("a note's text ends with a newline");
  const key = Buffer.isBuffer(privateKey) ? createPrivateKey({ key: privateKey, format: "der", type: "pkcs8" }) : privateKey;
  const pub = rawPublicKey(createPublicKey(key));
  const sig = sign(null, Buffer.from(text, "utf8"), key);
  return `${text}\n— ${name} ${Buffer.concat([keyId(name, pub), sig]).toString("base64")}\n`;
}

/**
 * Opens a signed note with a known verifier: the text, if a signature by
 * that key is there and verifies; otherwise why not. Unknown signatures are
 * ignored, as the spec says.
 */
export function openNote(note: string, verifier: Verifier): { ok: true; text: string } | { ok: false; reason: string } {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a note may not hold
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) return { ok: false, reason: "the note holds control characters" };
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) return { ok: false, reason: "the note has no signature block" };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  let known = false;
  for (const line of lines) {
    const m = /^— (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!m) return { ok: false, reason: `not a signature line: ${line.slice(0, 60)}` };
    const sig = Buffer.from(m[2], "base64");
    if (m[1] !== verifier.name || sig.length < 4 || !sig.subarray(0, 4).equals(verifier.id)) continue;
    known = true;
    if (!verify(null, Buffer.from(text, "utf8"), verifier.key, sig.subarray(4))) return { ok: false, reason: "the log's signature does not verify" };
  }
  return known ? { ok: true, text } : { ok: false, reason: "no signature by the log's key" };
}

export type Checkpoint = { origin: string; size: number; root: Buffer };

/** A checkpoint's note text: origin, tree size, base64 root, each on its line. */
export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString("base64")}\n`;
}

/** Reads a checkpoint's text; null when it is not one. */
export function parseCheckpoint(text: string): Checkpoint | null {
  const [origin, size, root, ...rest] = text.split("\n");
  if (!origin || !/^(0|[1-9]\d{0,15})$/.test(size ?? "") || rest.at(-1) !== "" || rest.slice(0, -1).some((l) => l === "")) return null;
  const hash = Buffer.from(root ?? "", "base64");
  if (hash.length !== 32 || hash.toString("base64") !== root) return null;
  return { origin, size: Number(size), root: hash };
}
