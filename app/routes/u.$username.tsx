import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { parseForm, readForm } from "~/lib/form.server";
import { mutedPeople, setMuted } from "~/models/notifications.server";
import { muteSchema } from "~/forms/account.server";
import { RelativeTime } from "~/components/RelativeTime";
import { formatDate, pageClock, plural } from "~/lib/format";
import { getProfile } from "~/models/profiles.server";
import { failureReply, formReply, invariantResponse } from "~/lib/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.profile.username} — Pulse` }, { name: "robots", content: data.profile.state === "active" ? "index" : "noindex" }] : [{ title: "Not found — Pulse" }];

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams.get("page") ?? "1";
  const page = /^\d{1,5}$/.test(p) && Number(p) >= 1 ? Number(p) : 1;
  const profile = /^[A-Za-z0-9_-]{1,32}$/.test(params.username ?? "") ? await getProfile(params.username!, page) : null;
  invariantResponse(profile, "No such person");
  const viewer = context.auth.user;
  // Only the viewer's own choice, on their own page: whether they muted this person.
  const mute = viewer && viewer.username.toLowerCase() !== profile.username.toLowerCase() && profile.state !== "deleted"
    ? { muted: (await mutedPeople(viewer.id)).some((n) => n.toLowerCase() === profile.username.toLowerCase()) }
    : null;
  return { profile, now: pageClock(), mute };
}

/** Mute or unmute this person: nothing they do notifies the viewer while muted (issue 23). */
export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const parsed = parseForm(muteSchema, await readForm(args.request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const res = await setMuted(user.id, args.params.username ?? "", parsed.data.intent === "mute");
  if (!res.ok) return failureReply(res);
  return redirect(`/u/${encodeURIComponent(args.params.username ?? "")}`);
}

export default function Profile() {
  const { profile: p, now, mute } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
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
      {refused?.errors ? (
        <p className="form-error" role="alert">
          {Object.values(refused.errors).flat().join(" ")}
        </p>
      ) : null}
      {mute ? (
        <Form method="post" className="inline">
          {mute.muted ? <span className="muted small">You muted {p.username}: nothing they do notifies you. </span> : null}
          <button type="submit" name="intent" value={mute.muted ? "unmute" : "mute"} className="small secondary">
            {mute.muted ? `Unmute ${p.username}` : `Mute ${p.username}`}
          </button>
        </Form>
      ) : null}
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
