import { Form, Link } from "@remix-run/react";
import { formatDateTime, LIMITS } from "~/lib/format";

type Held = { id: number; bodyHtml: string; createdAt: number; author: string; authorBanned: boolean; topicSlug: string; pollSlug: string | null };

/** New accounts' comments held because they link out (issue 28): accept, reject, or reject and ban. */
export function HeldQueue({ held }: { held: Held[] }) {
  return (
    <section aria-labelledby="held-heading">
      <h2 id="held-heading">Held for review ({held.length})</h2>
      <p className="muted">Comments from new accounts that link to other sites. Only their authors see them until you decide.</p>
      {held.length === 0 ? <p className="muted">Nothing waiting.</p> : null}
      <ol className="report-list">
        {held.map((c) => (
          <li key={c.id} className="card" data-testid="held">
            <p className="muted">
              By <Link to={`/admin/users?q=${encodeURIComponent(c.author)}`}>{c.author}</Link>{c.authorBanned ? " (banned)" : ""}, posted while new, {formatDateTime(c.createdAt)} · thread:{" "}
              {c.pollSlug ? `/t/${c.topicSlug}/p/${c.pollSlug}` : `/t/${c.topicSlug}`}
            </p>
            <blockquote className="comment-body quoted" dangerouslySetInnerHTML={{ __html: c.bodyHtml }} />
            <Form method="post" className="inline-actions">
              <input type="hidden" name="comment" value={c.id} />
              <label>
                Note <input name="reason" maxLength={LIMITS.reason} />
              </label>{" "}
              <button type="submit" name="intent" value="accept" className="small">
                Accept
              </button>{" "}
              <button type="submit" name="intent" value="reject" className="small secondary">
                Reject
              </button>{" "}
              {/* Banning is asked for twice: open, then confirm. */}
              <details className="confirm">
                <summary className="small">Reject and ban…</summary>
                <button type="submit" name="intent" value="reject_ban" className="small danger">
                  Reject and ban {c.author}
                </button>
              </details>
            </Form>
          </li>
        ))}
      </ol>
    </section>
  );
}
