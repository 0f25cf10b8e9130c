/**
 * A count with its share of the total, drawn as an SVG bar: SVG attributes
 * are not inline styles, so the strict CSP (no 'unsafe-inline') holds.
 */
export function ShareBar({ count, total, percent }: { count: number; total: number; percent: number }) {
  const share = total > 0 ? count / total : 0;
  const pct = percent;
  return (
    <span className="share">
      <svg className="share-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect x="0" y="0" width="100" height="6" className="share-track" />
        <rect x="0" y="0" width={Math.max(0, Math.min(100, share * 100))} height="6" className="share-fill" />
      </svg>
      <span className="share-text">
        {count} ({pct}%)
      </span>
    </span>
  );
}
