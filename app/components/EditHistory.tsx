import type { Revision } from "~/models/threads.server";
import { RelativeTime } from "./RelativeTime";

/** A comment's revisions, oldest first: each edit as a word diff, with its full text a click away. */
export function EditHistory({ history, now }: { history: Revision[]; now: number }) {
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Edit history</h2>
      <ol className="revisions">
        {history.map((r, i) => (
          <li key={i}>
            <p className="muted">
              {i === 0 ? "Original" : `Edit ${i}`}, <RelativeTime ms={r.createdAt} now={now} />
            </p>
            {r.changes ? (
              <>
                <p className="comment-body diff" aria-label={`Changes in edit ${i}`}>
                  {r.changes.map((p, k) =>
                    p.op === "add" ? (
                      <ins key={k}>
                        <span className="sr-only">[added: </span>
                        {p.text}
                        <span className="sr-only">]</span>
                      </ins>
                    ) : p.op === "del" ? (
                      <del key={k}>
                        <span className="sr-only">[removed: </span>
                        {p.text}
                        <span className="sr-only">]</span>
                      </del>
                    ) : (
                      <span key={k}>{p.text}</span>
                    ),
                  )}
                </p>
                <details>
                  <summary>Full text of edit {i}</summary>
                  <div className="comment-body" dangerouslySetInnerHTML={{ __html: r.html }} />
                </details>
              </>
            ) : (
              <div className="comment-body" dangerouslySetInnerHTML={{ __html: r.html }} />
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
