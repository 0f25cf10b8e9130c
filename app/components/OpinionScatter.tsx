import { plural } from "~/lib/format";

type Cell = [number, number, number, number];

/**
 * The map's points as an SVG scatter (shapes only, no text: labels are HTML),
 * with the same cells as a table for those who do not see the picture.
 */
export function OpinionScatter({ cells, groups, you }: { cells: Cell[]; groups: string[]; you: { x: number; y: number; group: number } | null }) {
  const size = 200;
  const at = (v: number) => ((v + 1) / 2) * (size - 20) + 10;
  const biggest = Math.max(1, ...cells.map((c) => c[3]));
  const name = (g: number) => (g === -1 ? "Others" : (groups[g] ?? "Group"));
  const totals = new Map<number, number>();
  for (const c of cells) totals.set(c[2], (totals.get(c[2]) ?? 0) + c[3]);
  return (
    <figure className="scatter">
      <svg viewBox={`0 0 ${size} ${size}`} role="img" aria-labelledby="scatter-caption">
        <rect x="0" y="0" width={size} height={size} className="scatter-bg" />
        <line x1={size / 2} y1="5" x2={size / 2} y2={size - 5} className="scatter-axis" />
        <line x1="5" y1={size / 2} x2={size - 5} y2={size / 2} className="scatter-axis" />
        {cells.map((c, i) => (
          <circle key={i} cx={at(c[0])} cy={at(-c[1])} r={1.5 + 3.5 * Math.sqrt(c[3] / biggest)} className={c[2] === -1 ? "dot others" : `dot g${c[2]}`} />
        ))}
        {you ? <circle cx={at(you.x)} cy={at(-you.y)} r="7" className="you-ring" /> : null}
      </svg>
      <figcaption id="scatter-caption">
        Each dot is a spot on the map where one or more people sit, coloured by group; bigger dots hold more people. People close together answered alike.
        <ul className="legend">
          {[...totals.keys()].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b)).map((g) => (
            <li key={g}>
              <span className={`swatch ${g === -1 ? "others" : `g${g}`}`} aria-hidden="true" /> {name(g)}: {plural(totals.get(g)!, "person", "people")}
            </li>
          ))}
          {you ? (
            <li>
              <span className="swatch you" aria-hidden="true" /> You
            </li>
          ) : null}
        </ul>
      </figcaption>
    </figure>
  );
}
