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

// Names that `@name` links to while one text renders (rendering is synchronous).
let linkable: ReadonlySet<string> = new Set();

const marked = new Marked({
  extensions: [
    {
      // `@name` of a known person links to their profile; any other `@word` stays text.
      name: "mention",
      level: "inline",
      start(src: string) {
        const m = /(^|[^\p{L}\p{N}_@.-])@[A-Za-z0-9_-]/u.exec(src);
        return m ? m.index + m[1].length : undefined;
      },
      tokenizer(src: string) {
        const m = /^@([A-Za-z0-9_-]{3,32})(?![A-Za-z0-9_-])/.exec(src);
        if (!m || !linkable.has(m[1].toLowerCase())) return undefined;
        return { type: "mention", raw: m[0], name: m[1].toLowerCase() };
      },
      renderer(token) {
        return `<a href="/u/${escapeHtml(token.name as string)}">@${escapeHtml(token.name as string)}</a>`;
      },
    },
  ],
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

/**
 * Quotes and lists nested deeper than this are refused: marked recurses once
 * per level, so 2,000 `>` overflow its stack, and a few hundred levels take
 * seconds of CPU. No real comment nests this deep.
 */
export const MAX_MARKDOWN_DEPTH = 16;

const CONTAINER = /^[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))/;

/** The deepest nesting of block quotes and lists on any line (markers plus indentation steps). */
export function markdownDepth(source: string): number {
  let deepest = 0;
  for (const line of source.split("\n")) {
    let rest = line;
    let depth = 0;
    const indent = /^[ \t]*/.exec(rest)![0].replace(/\t/g, "    ").length;
    for (let m = CONTAINER.exec(rest); m; m = CONTAINER.exec(rest)) {
      depth++;
      rest = rest.slice(m[0].length);
      if (depth > MAX_MARKDOWN_DEPTH) return depth;
    }
    deepest = Math.max(deepest, depth + Math.floor(indent / 2));
  }
  return deepest;
}

export const TOO_DEEP = `Quotes, lists and emphasis can nest at most ${MAX_MARKDOWN_DEPTH} levels deep.`;

export class MarkdownTooDeep extends Error {
  constructor() {
    super(TOO_DEEP);
  }
}

/**
 * Whether renderMarkdown takes this source. Forms ask it, so every path that
 * renders (a preview as much as a post) refuses with a 400 what would
 * overflow the parser: renderMarkdown counts the nesting of quotes and lists
 * up front, and deep inline nesting (3,000 `*` around a word) shows by trying.
 */
export function renderable(source: string): boolean {
  try {
    renderMarkdown(source);
    return true;
  } catch (err) {
    if (err instanceof MarkdownTooDeep) return false;
    throw err;
  }
}

/**
 * Markdown source -> safe HTML. Run once when text is written, stored with it.
 * Throws MarkdownTooDeep for input the forms refuse anyway (markdownDepth), and
 * for any other input that still overflows the parser's stack.
 */
export function renderMarkdown(source: string, opts: { mentions?: ReadonlySet<string> } = {}): string {
  if (markdownDepth(source) > MAX_MARKDOWN_DEPTH) throw new MarkdownTooDeep();
  let raw: string;
  linkable = opts.mentions ?? new Set();
  try {
    raw = marked.parse(source) as string;
  } catch (err) {
    if (err instanceof RangeError) throw new MarkdownTooDeep();
    throw err;
  } finally {
    linkable = new Set();
  }
  return sanitize(raw).trim();
}

/** Plain text of rendered HTML, cut to `max` characters (React escapes it again when shown). */
export function textExcerpt(html: string, max: number): string {
  const key = `${max}:${html}`;
  const known = excerpts.get(key);
  if (known !== undefined) return known;
  const excerpt = cutExcerpt(html, max);
  // A topic's summary is excerpted on every read of its page, signed-in readers' included: the few hundred latest are kept.
  if (excerpts.size >= 500) excerpts.delete(excerpts.keys().next().value!);
  excerpts.set(key, excerpt);
  return excerpt;
}
const excerpts = new Map<string, string>();

function cutExcerpt(html: string, max: number): string {
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/\s+/g, " ").trim();
  const decoded = text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return decoded.length > max ? `${decoded.slice(0, max - 1)}…` : decoded;
}

/**
 * A piece of markdown source read as plain words, for snippets cut from the
 * source (search): emphasis marks, code ticks, heading and quote markers go,
 * and a link keeps its text, not its address. Works on fragments, so a link
 * cut in half still loses its address.
 */
export function plainMarkdown(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)?/g, "$1")
    .replace(/\]\([^)\s]*\)?/g, "")
    .replace(/\(https?:\/\/[^)\s]*\)?/g, "")
    .replace(/\*\*|__|~~|`+/g, "")
    .replace(/(^|[\s(])[*_]+|[*_]+(?=[\s).,;:!?]|$)/g, "$1")
    .replace(/(^|\n)\s*(#{1,6}|>+)\s+/g, "$1")
    .replace(/[[\]]/g, "");
}
