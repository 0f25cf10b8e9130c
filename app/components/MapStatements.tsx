import { Link } from "@remix-run/react";
import type { MapData } from "~/models/opinion-map.server";

type Figures = NonNullable<MapData["statements"]>;

/** A group's most representative statements (Pol.is repness): where it agrees or disagrees more than everyone else, significantly. */
export function GroupStatements({ list, name }: { list: Figures["representative"][number]; name: string }) {
  if (!list.length) return <p className="muted small">No statement sets {name} apart yet.</p>;
  return (
    <>
      <h4>Statements {name} stands for</h4>
      <ul className="rep-statements" data-testid="representative">
        {list.map((r) => (
          <li key={r.statementId}>
            “{r.body}”: {Math.round(r.share * 100)}% {r.repfulFor === "agree" ? "agree" : "disagree"} ({r.n} of {r.of}), {r.ratio.toFixed(1)}× everyone else
          </li>
        ))}
      </ul>
    </>
  );
}

/** Statements every group agrees on (group-informed consensus), and where to rate more. */
export function ConsensusStatements({ figures, base }: { figures: Figures; base: string }) {
  return (
    <>
      <h2>Statements every group agrees on</h2>
      {figures.consensus.length === 0 ? (
        <p>None yet: no statement is agreed by most of every group.</p>
      ) : (
        <ul data-testid="consensus-statements">
          {figures.consensus.map((c) => (
            <li key={c.statementId}>
              “{c.body}” (group-informed consensus {c.score.toFixed(2)})
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        From {figures.count} statements people wrote. <Link to={`${base}/statements`}>Rate them, or write one</Link>.
      </p>
    </>
  );
}
