import { Link } from "@remix-run/react";

/** What a moderator's action did, said on the page it lands back on, with where it was logged. */
export function DoneNotice({ done }: { done: string | null | undefined }) {
  return done ? (
    <p className="notice" role="status">
      {done} It is in the <Link to="/admin/log">moderation log</Link>.
    </p>
  ) : null;
}
