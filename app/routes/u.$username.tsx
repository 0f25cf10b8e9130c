import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RelativeTime } from "~/components/RelativeTime";
import { formatDate, pageClock, plural } from "~/lib/format";
import { getProfile } from "~/models/profiles.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.profile.username} — Pulse` }, { name: "robots", content: data.profile.state === "active" ? "index" : "noindex" }] : [{ title: "Not found — Pulse" }];

export async function loader({ params, request }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams.get("page") ?? "1";
  const page = /^\d{1,5}$/.test(p) && Number(p) >= 1 ? Number(p) : 1;
  const profile = /^[A-Za-z0-9_-]{1,32}$/.test(params.username ?? "") ? await getProfile(params.username!, page) : null;
  if (!profile) throw new Response("No such person", { status: 404 });
  return { profile, now: pageClock() };
}

export default function Profile() {
  const { profile: p, now } = useLoaderData<typeof loader>();
  const base = `/u/${p.username}`;
  return (
    <article className="profile">
      <h1>{p.username}</h1>
      <p className="muted">
        Joined {formatDate(p.joinedAt)} · {plural(p.commentCount, "public comment")}
      </p>
      {p.state === "banned" ? <p className="notice">This account is suspended.</p> : null}
      {p.state === "deleted" ? <p className="notice">This account was deleted. Its comments were erased.</p> : null}
      <p className="muted small">How someone voted is never shown: answers to the questions stay private.</p>
      {p.state !== "deleted" ? (
        <section aria-labelledby="profile-comments">
          <h2 id="profile-comments">Comments</h2>
          {p.comments.length === 0 ? <p className="muted">{p.page > 1 ? "No more comments." : "No public comments yet."}</p> : null}
          <ol className="profile-comments">
            {p.comments.map((c) => (
              <li key={c.id} className="card">
                <p className="muted small">
                  {c.isReply ? "Replied" : "Commented"} in <Link to={c.threadUrl}>{c.where}</Link> · <Link to={`/c/${c.id}`}><RelativeTime ms={c.createdAt} now={now} /></Link>
                </p>
                <p className="excerpt">{c.excerpt}</p>
              </li>
            ))}
          </ol>
          <nav aria-label="More comments" className="pager">
            {p.page > 1 ? <Link to={p.page === 2 ? base : `${base}?page=${p.page - 1}`}>← Newer</Link> : null}
            {p.hasMore ? <Link to={`${base}?page=${p.page + 1}`}>Older →</Link> : null}
          </nav>
        </section>
      ) : null}
    </article>
  );
}
