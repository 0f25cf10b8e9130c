import { plural } from "~/lib/format";
import type { PollResult } from "~/models/results.server";

/** A question's results for a hall: one thick bar per answer, its share and count in large type; or why they are not shown. */
export function PresentResults({ poll }: { poll: PollResult }) {
  if (!poll.visible || !poll.options) {
    return (
      <p className="present-hidden" data-testid="present-hidden">
        {poll.hiddenReason}
      </p>
    );
  }
  const top = Math.max(1, ...poll.options.map((o) => o.count));
  const winner = poll.runoff?.winner != null ? poll.options.find((o) => o.id === poll.runoff!.winner)?.label : null;
  return (
    <>
      {poll.kind === "ranked" ? (
        <p className="present-note" data-testid="present-runoff">
          First choices.{" "}
          {winner ? `Winner after the runoff (${plural(poll.runoff!.rounds.length, "round")}): ${winner}.` : poll.runoff?.tied ? "After the runoff: a tie." : ""}
        </p>
      ) : null}
      <ol className="present-bars" data-testid="present-bars">
        {poll.options.map((o) => (
          <li key={o.id}>
            <span className="present-label">{o.value !== null ? `${o.value} · ${o.label}` : o.label}</span>
            {/* SVG widths, not style attributes: the policy allows no inline style. */}
            <svg className="present-bar" width="100%" height="48" aria-hidden="true" focusable="false">
              <rect x="0" y="0" width="100%" height="48" rx="6" className="bar-track" />
              {o.count ? <rect x="0" y="0" width={`${(o.count / top) * 100}%`} height="48" rx="6" className="bar-fill" /> : null}
            </svg>
            <span className="present-value" data-testid={`present-value-${o.id}`}>
              {o.percent}% · {o.count}
            </span>
          </li>
        ))}
      </ol>
    </>
  );
}
