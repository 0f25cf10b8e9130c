import { formatDateTime, relativeTime } from "~/lib/format";

export function RelativeTime({ ms, now }: { ms: number; now: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)}>
      {relativeTime(ms, now)}
    </time>
  );
}
