import { LRUCache } from "lru-cache";
import QRCode from "qrcode";

// QR codes drawn on the server as SVG (issue 27), by `qrcode`: a join
// address changes only with the poll, so each is drawn once and kept.

const drawn = new LRUCache<string, string>({ max: 500 });

/** An SVG QR code of `text`: medium error correction, a quiet zone of two modules, drawn in the page's text colour. */
export async function qrSvg(text: string): Promise<string> {
  const kept = drawn.get(text);
  if (kept) return kept;
  const svg = await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2, color: { dark: "#000000", light: "#ffffff" } });
  drawn.set(text, svg);
  return svg;
}
