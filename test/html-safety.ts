import crypto from "node:crypto";
import { Parser } from "htmlparser2";

const BAD_TAGS = new Set(["script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "meta", "link", "style", "form", "svg", "math"]);
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "background", "dynsrc", "lowsrc", "data", "poster"]);

/**
 * Problems that would let markup run script in a page. When checking a whole
 * page, `csp` (its Content-Security-Policy) admits the framework's own
 * scripts: those with the policy's nonce, or inline ones whose hash the
 * policy lists, and the client build's modules.
 */
export function unsafeMarkup(html: string, opts: { csp?: string; allowLayout?: boolean } = {}): string[] {
  const problems: string[] = [];
  const nonce = /'nonce-([^']+)'/.exec(opts.csp ?? "")?.[1];
  const hashes = new Set([...(opts.csp ?? "").matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]));
  let inline: string | null = null;
  const parser = new Parser(
    {
      ontext(text) {
        if (inline !== null) inline += text;
      },
      onclosetag(name) {
        if (name !== "script" || inline === null) return;
        if (!hashes.has(crypto.createHash("sha256").update(inline).digest("base64"))) problems.push("<script> not in the policy");
        inline = null;
      },
      onopentag(name, attrs) {
        if (name === "script" && nonce && attrs.nonce === nonce) return;
        if (name === "script" && hashes.size > 0 && attrs.nonce === undefined) {
          if (attrs.src === undefined) inline = "";
          else if (!attrs.src.startsWith("/build/")) problems.push(`<script src=${attrs.src.slice(0, 30)}>`);
          return;
        }
        if (opts.allowLayout && (name === "meta" || name === "link" || name === "form" || name === "svg")) {
          // The page's own head and forms; their attributes are still checked below.
        } else if (BAD_TAGS.has(name)) {
          problems.push(`<${name}>`);
        }
        for (const [k, v] of Object.entries(attrs)) {
          if (/^on/i.test(k)) problems.push(`${name}[${k}]`);
          if (URL_ATTRS.has(k.toLowerCase())) {
            // Browsers ignore control characters and white space inside schemes.
            // eslint-disable-next-line no-control-regex -- control characters are the point
            const squashed = v.replace(/[\u0000-\u0020]/g, "").toLowerCase();
            if (/^(javascript|vbscript|data):/.test(squashed)) problems.push(`${name}[${k}=${v.slice(0, 30)}]`);
          }
          if (k === "style") problems.push(`${name}[style]`);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return problems;
}
