import type { OptionResult } from "~/models/results.server";

// Small server-rendered SVG charts. Each is an accessible image: a title, a
// description listing every value, text labels on the marks (colour is never
// the only signal), and the page prints the same numbers in a table.

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function describeOptions(options: OptionResult[], voters: number): string {
  return `${voters} voters. ` + options.map((o) => `${o.label}: ${o.count} (${o.percent}%, 95% interval ${pct(o.low)} to ${pct(o.high)})`).join("; ") + ".";
}

export function OptionBars({ id, title, options, voters, highlight }: { id: string; title: string; options: OptionResult[]; voters: number; highlight?: number | null }) {
  const rowH = 46;
  const barW = 470;
  const h = options.length * rowH + 6;
  return (
    <svg className="chart bars" viewBox={`0 0 640 ${h}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMinYMin meet">
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{describeOptions(options, voters)}</desc>
      {options.map((o, i) => {
        const y = i * rowH;
        const w = o.share * barW;
        return (
          <g key={o.id} transform={`translate(0 ${y})`}>
            <text x="0" y="14" className="chart-label">
              {highlight === o.id ? "✓ " : ""}
              {o.label}
              {highlight === o.id ? " (outcome)" : ""}
            </text>
            <rect x="0" y="20" width={barW} height="16" className="bar-track" rx="3" />
            <rect x="0" y="20" width={Math.max(w, o.count > 0 ? 2 : 0)} height="16" className={highlight === o.id ? "bar-fill outcome" : "bar-fill"} rx="3" />
            {voters > 0 ? (
              <g className="whisker" aria-hidden="true">
                <line x1={o.low * barW} x2={o.high * barW} y1="28" y2="28" />
                <line x1={o.low * barW} x2={o.low * barW} y1="23" y2="33" />
                <line x1={o.high * barW} x2={o.high * barW} y1="23" y2="33" />
              </g>
            ) : null}
            <text x={barW + 10} y="33" className="chart-value">
              {o.percent}% · {o.count}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

const LIKERT_CLASS = ["lk1", "lk2", "lk3", "lk4", "lk5"];

/** Diverging stacked bar: disagreement left of the centre line, agreement right, neutral split across it. */
export function LikertBar({ id, title, options, voters, mean }: { id: string; title: string; options: OptionResult[]; voters: number; mean: number | null }) {
  const W = 600;
  const mid = W / 2 + 20;
  const scale = (W - 40) / 2;
  const s = options.map((o) => o.share);
  const neutral = s[2] ?? 0;
  let x = mid - (s[0] + s[1] + neutral / 2) * scale;
  const segs = options.map((o, i) => {
    const w = s[i] * scale;
    const seg = { o, i, x, w };
    x += w;
    return seg;
  });
  return (
    <svg className="chart likert" viewBox={`0 0 ${W + 40} 92`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>
        {describeOptions(options, voters)} {mean !== null ? `Mean ${mean.toFixed(2)} on a scale of 1 to 5.` : ""}
      </desc>
      <text x="20" y="14" className="chart-label">← {options[0]?.label}</text>
      <text x={W + 20} y="14" className="chart-label" textAnchor="end">{options[4]?.label} →</text>
      <rect x="20" y="24" width={W} height="30" className="bar-track" />
      {segs.map(({ o, i, x: sx, w }) =>
        w > 0 ? (
          <g key={o.id}>
            <rect x={sx} y="24" width={w} height="30" className={`likert-seg ${LIKERT_CLASS[i]}`} />
            {w > 50 ? (
              <text x={sx + w / 2} y="44" textAnchor="middle" className="seg-label">
                {o.value}: {o.percent}%
              </text>
            ) : null}
          </g>
        ) : null,
      )}
      <line x1={mid} x2={mid} y1="18" y2="60" className="midline" />
      <text x={mid} y="78" textAnchor="middle" className="chart-value">
        {mean !== null ? `mean ${mean.toFixed(2)} · n = ${voters}` : "no answers yet"}
      </text>
    </svg>
  );
}

const DASH = ["", "6 4", "2 3", "10 3 2 3", "1 5", "8 2", "4 2 1 2", "12 4"];

/** Each option's share by day; lines differ by dash pattern and carry end labels. */
export function TrendChart({ id, title, days, series }: { id: string; title: string; days: string[]; series: { optionId: number; label: string; shares: number[] }[] }) {
  const W = 640;
  const H = 180;
  const left = 36;
  const right = 150;
  const top = 10;
  const bottom = 24;
  const n = days.length;
  const xAt = (i: number) => left + (n <= 1 ? 0 : (i / (n - 1)) * (W - left - right));
  const yAt = (v: number) => top + (1 - v) * (H - top - bottom);
  const desc =
    `From ${days[0]} to ${days[n - 1]}. ` +
    series.map((s) => `${s.label}: ${pct(s.shares[0] ?? 0)} on the first day, ${pct(s.shares[n - 1] ?? 0)} on the last`).join("; ") +
    ".";
  return (
    <svg className="chart trend" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      {[0, 0.5, 1].map((v) => (
        <g key={v}>
          <line x1={left} x2={W - right} y1={yAt(v)} y2={yAt(v)} className="grid" />
          <text x={left - 4} y={yAt(v) + 4} textAnchor="end" className="axis">
            {pct(v)}
          </text>
        </g>
      ))}
      <text x={left} y={H - 6} className="axis">{days[0]}</text>
      {n > 1 ? (
        <text x={W - right} y={H - 6} className="axis" textAnchor="end">{days[n - 1]}</text>
      ) : null}
      {series.map((s, k) => {
        const pts = s.shares.map((v, i) => `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`).join(" ");
        const lastY = yAt(s.shares[n - 1] ?? 0);
        return (
          <g key={s.optionId} className={`line l${k % 8}`}>
            {n > 1 ? <polyline points={pts} fill="none" strokeDasharray={DASH[k % DASH.length] || undefined} /> : <circle cx={xAt(0)} cy={lastY} r="3" />}
            <text x={W - right + 6} y={lastY + 4} className="line-label">
              {s.label.length > 22 ? `${s.label.slice(0, 21)}…` : s.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
