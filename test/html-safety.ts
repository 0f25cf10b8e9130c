import { Parser } from "htmlparser2";

const BAD_TAGS = new Set(["script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "meta", "link", "style", "form", "svg", "math"]);
const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "background", "dynsrc", "lowsrc", "data", "poster"]);

/**
 * Problems that would let markup run script in a page. `allowScript` admits
 * the framework's own nonce-carrying scripts when checking a whole page.
 */
export function unsafeMarkup(html: string, opts: { nonce?: string; allowLayout?: boolean } = {}): string[] {
  const problems: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === "script" && opts.nonce && attrs.nonce === opts.nonce) return;
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
