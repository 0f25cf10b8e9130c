import { Marked, type Tokens } from "marked";
import sanitizeHtml from "sanitize-html";

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Raw HTML is shown as text, never interpreted.
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    // No images: a third-party image is a tracking pixel. Show its alt text.
    image(token: Tokens.Image) {
      return escapeHtml(token.text);
    },
  },
});

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    "p", "br", "em", "strong", "del", "a", "ul", "ol", "li",
    "blockquote", "code", "pre", "h3", "h4", "h5", "h6", "hr",
  ],
  allowedAttributes: { a: ["href", "title", "rel"], ol: ["start"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    a: (_tag, attribs) => ({ tagName: "a", attribs: { ...attribs, rel: "nofollow ugc noopener" } }),
    // Headings inside user text must not outrank the page's own.
    h1: "h3",
    h2: "h4",
  },
};

/** Sanitises HTML with the allowlist; idempotent. */
export function sanitize(html: string): string {
  return sanitizeHtml(html, sanitizeOptions);
}

/** Markdown source -> safe HTML. Run once when text is written, stored with it. */
export function renderMarkdown(source: string): string {
  const raw = marked.parse(source) as string;
  return sanitize(raw).trim();
}

/** Plain text of rendered HTML, cut to `max` characters (React escapes it again when shown). */
export function textExcerpt(html: string, max: number): string {
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/\s+/g, " ").trim();
  const decoded = text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return decoded.length > max ? `${decoded.slice(0, max - 1)}…` : decoded;
}
