import type { Cell, ClauseStatus } from "~/models/clauses.server";

export const STATUS_WORDS: Record<ClauseStatus, string> = {
  added: "added",
  present: "in force",
  changed: "changed",
  removed: "removed",
  absent: "not there",
};

export function StatusBadge({ status }: { status: ClauseStatus | null }) {
  if (!status) return <span className="status status-none">no entry</span>;
  return <span className={`status status-${status}`}>{STATUS_WORDS[status]}</span>;
}

/** One clause through the versions, oldest first: a list, so it reads top to bottom on a phone. */
export function ClauseTimeline({ row }: { row: { version: string; released?: string; cell: Cell | null }[] }) {
  return (
    <ol className="timeline">
      {row.map(({ version, released, cell }) => (
        <li key={version}>
          <p className="timeline-head">
            <strong>{version}</strong> {released ? <span className="muted small">{released}</span> : null} <StatusBadge status={cell?.status ?? null} />
          </p>
          {cell ? (
            <p>
              {cell.summary}{" "}
              {cell.sourceUrl ? (
                <a href={cell.sourceUrl} rel="noopener noreferrer nofollow">
                  Source
                </a>
              ) : null}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
