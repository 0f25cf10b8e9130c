import type { OptionResult } from "~/models/results.server";

// Small server-rendered SVG charts. Each is an accessible image: a title, a
// description listing every value, text labels on the marks (colour is never
// the only signal), and the page prints the same numbers in a table.

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function describeOptions(options: OptionResult[], voters: number): string {
  return `${voters} voters. ` + options.map((o) => `${o.label}: ${o.count} (${o.percent}%, 95% interval ${pct(o.low)} to ${pct(o.high)})`).join("; ") + ".";
}

/**
 * One bar per answer. Labels and values are HTML text, so they wrap and keep
 * their size at any width; the bars are SVG drawn in percentages, never scaled.
 */
export function OptionBars({ id, title, options, voters, highlight }: { id: string; title: string; options: OptionResult[]; voters: number; highlight?: number | null }) {
  return (
    <div className="chart bars" role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <span id={`${id}-t`} className="sr-only">{title}</span>
      <span id={`${id}-d`} className="sr-only">{describeOptions(options, voters)}</span>
      {options.map((o) => (
        <div key={o.id} className={highlight === o.id ? "bar-row outcome" : "bar-row"}>
          <span className="bar-label">
            {highlight === o.id ? "✓ " : ""}
            {o.label}
            {highlight === o.id ? " (outcome)" : ""}
          </span>
          <span className="bar-line">
            <svg className="bar" width="100%" height="16" aria-hidden="true" focusable="false">
              <rect x="0" y="0" width="100%" height="16" rx="3" className="bar-track" />
              {o.count > 0 ? <rect x="0" y="0" width={`${Math.max(o.share * 100, 0.5)}%`} height="16" rx="3" className="bar-fill" /> : null}
              {voters > 0 ? (
                <g className="whisker">
                  <line x1={`${o.low * 100}%`} x2={`${o.high * 100}%`} y1="8" y2="8" />
                  <line x1={`${o.low * 100}%`} x2={`${o.low * 100}%`} y1="3" y2="13" />
                  <line x1={`${o.high * 100}%`} x2={`${o.high * 100}%`} y1="3" y2="13" />
                </g>
              ) : null}
            </svg>
            <span className="bar-value">
              {`${o.percent}% · ${o.count}`}
            </span>
          </span>
        </div>
      ))}
    </div>
  );
}

const LIKERT_CLASS = ["lk1", "lk2", "lk3", "lk4", "lk5"];

/** Diverging stacked bar: disagreement left of the centre line, agreement right, neutral split across it. */
export function LikertBar({ id, title, options, voters, mean }: { id: string; title: string; options: OptionResult[]; voters: number; mean: number | null }) {
  const s = options.map((o) => o.share);
  const neutral = s[2] ?? 0;
  // In percent of the width: the centre line at 50%, each half holds 100% of the voters.
  let x = 50 - (s[0] + s[1] + neutral / 2) * 50;
  const segs = options.map((o, i) => {
    const w = s[i] * 50;
    const seg = { o, i, x, w };
    x += w;
    return seg;
  });
  return (
    <div className="chart likert" role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <span id={`${id}-t`} className="sr-only">{title}</span>
      <span id={`${id}-d`} className="sr-only">
        {describeOptions(options, voters)} {mean !== null ? `Mean ${mean.toFixed(2)} on a scale of 1 to 5.` : ""}
      </span>
      <span className="likert-ends">
        <span>{`← ${options[0]?.label ?? ""}`}</span>
        <span>{`${options[4]?.label ?? ""} →`}</span>
      </span>
      <svg className="likert-bar" width="100%" height="36" aria-hidden="true" focusable="false">
        <rect x="0" y="3" width="100%" height="30" className="bar-track" />
        {segs.map(({ o, i, x: sx, w }) =>
          w > 0 ? (
            <g key={o.id}>
              <rect x={`${sx}%`} y="3" width={`${w}%`} height="30" className={`likert-seg ${LIKERT_CLASS[i]}`} />
              {/* A label only where it fits even at 320 px: 14% is 38 px there. */}
              {w >= 14 ? (
                <text x={`${sx + w / 2}%`} y="23" textAnchor="middle" className="seg-label">
                  {`${o.percent}%`}
                </text>
              ) : null}
            </g>
          ) : null,
        )}
        <line x1="50%" x2="50%" y1="0" y2="36" className="midline" />
      </svg>
      <span className="likert-mean">{mean !== null ? `mean ${mean.toFixed(2)} · n = ${voters}` : "no answers yet"}</span>
    </div>
  );
}

const DASH = ["", "6 4", "2 3", "10 3 2 3", "1 5", "8 2", "4 2 1 2", "12 4"];
const PLOT_H = 150;
const LABEL_GAP = 15;

/** End labels at the lines' last values, pushed apart so no two overlap and none leaves the plot. */
export function spreadLabels(ys: number[], gap = LABEL_GAP, min = 0, max = PLOT_H): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const out = order.map((o) => Math.min(Math.max(o.y, min), max));
  for (let k = 1; k < out.length; k++) out[k] = Math.max(out[k], out[k - 1] + gap);
  // Pushed past the bottom: shift the pile back up.
  const over = out.length ? out[out.length - 1] - max : 0;
  if (over > 0) for (let k = out.length - 1; k >= 0; k--) out[k] = k === out.length - 1 ? out[k] - over : Math.min(out[k], out[k + 1] - gap);
  const placed = new Array<number>(ys.length);
  order.forEach((o, k) => (placed[o.i] = out[k]));
  return placed;
}

/**
 * Each option's share by day. Lines differ by dash pattern; the legend is HTML
 * (it wraps on a phone) and each line ends in its last share. One day of data
 * is not a trend: it says so instead of drawing a dot.
 */
export function TrendChart({ id, title, days, series }: { id: string; title: string; days: string[]; series: { optionId: number; label: string; shares: number[] }[] }) {
  const n = days.length;
  if (n < 2) {
    return (
      <p className="muted small" data-testid="trend-one-day">
        All votes so far were cast on {days[0]}. The chart of opinion over time starts once votes arrive on a second day.
      </p>
    );
  }
  const yAt = (v: number) => (1 - v) * PLOT_H;
  const desc =
    `From ${days[0]} to ${days[n - 1]}. ` +
    series.map((s) => `${s.label}: ${pct(s.shares[0] ?? 0)} on the first day, ${pct(s.shares[n - 1] ?? 0)} on the last`).join("; ") +
    ".";
  const ends = spreadLabels(series.map((s) => yAt(s.shares[n - 1] ?? 0)), LABEL_GAP, 6, PLOT_H - 2);
  return (
    <figure className="chart trend" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`} className="sr-only">{title}</figcaption>
      <div className="trend-plot">
        <span className="axis axis-y" aria-hidden="true">
          <span>100%</span>
          <span>50%</span>
          <span>0%</span>
        </span>
        <svg className="trend-lines" width="100%" height={PLOT_H} role="img" aria-label={desc}>
          {[0, 0.5, 1].map((v) => (
            <line key={v} x1="0" x2="100%" y1={yAt(v)} y2={yAt(v)} className="grid" />
          ))}
          {/* The lines scale with the width (no text inside); strokes keep their width. */}
          <svg x="0" y="0" width="100%" height={PLOT_H} viewBox={`0 0 ${n - 1} ${PLOT_H}`} preserveAspectRatio="none" overflow="visible">
            {series.map((s, k) => (
              <polyline
                key={s.optionId}
                className={`line l${k % 8}`}
                points={s.shares.map((v, i) => `${i},${yAt(v).toFixed(1)}`).join(" ")}
                fill="none"
                vectorEffect="non-scaling-stroke"
                strokeDasharray={DASH[k % DASH.length] || undefined}
              />
            ))}
          </svg>
        </svg>
        <svg className="trend-ends" width="3.2em" height={PLOT_H} aria-hidden="true" focusable="false">
          {series.map((s, k) => (
            <text key={s.optionId} x="4" y={ends[k] + 4} className={`line-end t${k % 8}`}>
              {pct(s.shares[n - 1] ?? 0)}
            </text>
          ))}
        </svg>
      </div>
      <span className="axis axis-x" aria-hidden="true">
        <span>{days[0]}</span>
        <span>{days[n - 1]}</span>
      </span>
      <ul className="legend" aria-hidden="true">
        {series.map((s, k) => (
          <li key={s.optionId}>
            <svg width="28" height="10" className={`line l${k % 8}`} focusable="false">
              <line x1="0" x2="28" y1="5" y2="5" strokeDasharray={DASH[k % DASH.length] || undefined} />
            </svg>
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
