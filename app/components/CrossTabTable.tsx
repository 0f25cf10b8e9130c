import { formatDateTime } from "~/lib/format";
import type { CrossTab } from "~/models/results.server";

const HOUR = 3_600_000;

export function CrossTabTable({ tab }: { tab: CrossTab }) {
  const allHidden = tab.cells.every((row) => row.every((n) => n === null));
  return (
    <>
      {/* Outside the scrolling table, so a phone shows all of it (issue 23); the table keeps a caption for screen readers. */}
      <p className="crosstab-note" id="crosstab-note">
        Rows: “{tab.a.question}”. Columns: “{tab.b.question}”. Each cell counts people who gave both answers, as of {formatDateTime(tab.asOf)}, rounded to the nearest 5;
        cells under 5 show “&lt;5”. The table is counted again at the start of every hour: next at {formatDateTime(tab.asOf + HOUR)}.
      </p>
      {allHidden ? (
        <p className="notice" role="status">
          Every cell is under 5 so far: too few people had answered both questions when this hour began. People who answered since are counted at{" "}
          {formatDateTime(tab.asOf + HOUR)}.
        </p>
      ) : null}
      {/* Reachable by keyboard, so a table wider than a phone can be scrolled without a mouse. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Comparison table">
        <table className="numbers crosstab" data-testid="crosstab" aria-describedby="crosstab-note">
          <caption className="sr-only">
            Rows: {tab.a.question}. Columns: {tab.b.question}.
          </caption>
        <thead>
          <tr>
            <th scope="col">First answer</th>
            {tab.b.options.map((o) => (
              <th key={o.id} scope="col">{o.label}</th>
            ))}
            <th scope="col">Answered both</th>
          </tr>
        </thead>
        <tbody>
          {tab.a.options.map((o, i) => (
            <tr key={o.id}>
              <th scope="row">{o.label}</th>
              {tab.cells[i].map((n, j) => (
                <td key={tab.b.options[j].id}>{n === null ? "<5" : n}</td>
              ))}
              <td>{tab.rowTotals[i] === null ? "<5" : tab.rowTotals[i]}</td>
            </tr>
          ))}
        </tbody>
        </table>
      </div>
    </>
  );
}
