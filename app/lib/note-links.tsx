import { Link } from "@remix-run/react";

// Resolution notes are plain text that may cite with [words](address): a
// path on this site ("/t/…/versions#clause-1v") or an https address. Nothing
// else becomes markup, so a note can never inject HTML.

const LINK = /\[([^\]\n]{1,200})\]\(((?:\/(?!\/)|https:\/\/)[^\s()]{0,500})\)/g;

export type NotePart = { text: string; href?: string };

export function noteParts(note: string): NotePart[] {
  const parts: NotePart[] = [];
  let at = 0;
  for (const m of note.matchAll(LINK)) {
    if (m.index > at) parts.push({ text: note.slice(at, m.index) });
    parts.push({ text: m[1], href: m[2] });
    at = m.index + m[0].length;
  }
  if (at < note.length) parts.push({ text: note.slice(at) });
  return parts;
}

/** A note with its citations as links: site paths stay in the app, others leave it. */
export function NoteText({ note }: { note: string }) {
  return (
    <span className="note">
      {noteParts(note).map((p, i) =>
        !p.href ? (
          p.text
        ) : p.href.startsWith("/") ? (
          <Link key={i} to={p.href}>
            {p.text}
          </Link>
        ) : (
          <a key={i} href={p.href} rel="noopener noreferrer nofollow">
            {p.text}
          </a>
        ),
      )}{" "}
    </span>
  );
}
