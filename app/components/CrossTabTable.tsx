import { formatDateTime } from "~/lib/format";
import type { CrossTab } from "~/models/results.server";

export function CrossTabTable({ tab }: { tab: CrossTab }) {
  return (
    // Reachable by keyboard, so a table wider than a phone can be scrolled without a mouse.
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Comparison table">
      <table className="numbers crosstab" data-testid="crosstab">
        <caption>
          Rows: “{tab.a.question}”. Columns: “{tab.b.question}”. Each cell counts people who gave both answers, as of {formatDateTime(tab.asOf)}, rounded to the nearest 5.
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
  );
}
