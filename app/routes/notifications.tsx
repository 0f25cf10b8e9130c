import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { RelativeTime } from "~/components/RelativeTime";
import { pageClock, plural } from "~/lib/format";
import { readForm } from "~/lib/form.server";
import { listNotifications, markAllRead, markRead, type InboxItem } from "~/models/notifications.server";
import { formReply, invariantResponse } from "~/lib/http.server";

export const meta: MetaFunction = () => [{ title: "Notifications — Pulse" }, { name: "robots", content: "noindex" }];

const ID = /^\d{1,12}$/;

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const before = new URL(args.request.url).searchParams.get("before");
  invariantResponse(before === null || ID.test(before), "Bad page", 400);
  const inbox = await listNotifications(user.id, before === null ? null : Number(before));
  return { ...inbox, now: pageClock(), older: before !== null };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const form = await readForm(args.request);
  switch (form.get("intent")) {
    case "read-all":
      await markAllRead(user.id);
      break;
    case "read": {
      const ids = String(form.get("ids") ?? "").split(",");
      if (ids.length > 200 || !ids.every((id) => ID.test(id))) return formReply({ ids: ["Unknown notification."] });
      await markRead(user.id, ids.map(Number));
      break;
    }
    default:
      return formReply({ intent: ["Unknown action."] });
  }
  const back = new URL(args.request.url).searchParams.get("before");
  return redirect(back && ID.test(back) ? `/notifications?before=${back}` : "/notifications");
}

/** What happened, in a sentence, with the people and places named. */
function What({ n }: { n: InboxItem }) {
  const topic = <strong>{n.topic.title}</strong>;
  const actor = <strong>{n.actor ?? "Someone"}</strong>;
  switch (n.kind) {
    case "reply":
      return <>{actor} replied to your comment in {topic}</>;
    case "mention":
      return <>{actor} mentioned you in {topic}</>;
    case "follow":
      return n.count > 1 ? <>{plural(n.count, "new comment")} in {topic}</> : <>{actor} commented in {topic}, which you follow</>;
    case "resolved":
      return (
        <>
          The prediction <strong>{n.poll?.question}</strong> was resolved{n.poll?.resolvedLabel ? `: ${n.poll.resolvedLabel}` : ""}.{" "}
          {n.detail === "right" ? "You were right." : "You were wrong."}
        </>
      );
    case "report":
      return <>Your report in {topic} was handled: {n.detail === "actioned" ? "the comment was removed." : "a moderator kept the comment."}</>;
  }
}

export default function Notifications() {
  const { items, nextBefore, now, older } = useLoaderData<typeof loader>();
  const unread = items.some((n) => !n.read);
  return (
    <section className="inbox">
      <div className="section-head">
        <h1>Notifications</h1>
        {unread ? (
          <Form method="post">
            <button type="submit" name="intent" value="read-all" className="small secondary">
              Mark all read
            </button>
          </Form>
        ) : null}
      </div>
      <p className="muted">
        Replies, mentions, resolved predictions, answered reports and new comments in topics you follow. <Link to="/settings#notifications">Choose what you hear about</Link>.
      </p>
      {items.length === 0 ? (
        <p>{older ? "No older notifications." : "Nothing yet. Replies to you and mentions of you will show up here."}</p>
      ) : (
        <ul className="inbox-list">
          {items.map((n) => (
            <li key={n.id} className={`card inbox-item${n.read ? "" : " unread"}`}>
              {/* A div: a form may not sit inside a paragraph. */}
              <div className="inbox-line">
                {n.read ? null : <span className="badge new-badge">new</span>}{" "}
                {/* Opening marks it read: a POST, so no link from elsewhere can (issue 23). */}
                <Form method="post" action={`/notifications/${n.id}`} className="inline">
                  {n.ids.length > 1 ? <input type="hidden" name="also" value={n.ids.slice(1).join(",")} /> : null}
                  <button type="submit" className="linklike">
                    <What n={n} />
                  </button>
                </Form>
              </div>
              {n.excerpt && n.count === 1 ? <blockquote className="excerpt">{n.excerpt}</blockquote> : null}
              {/* A div, not a p: a form may not sit inside a paragraph (the parser would split it). */}
              <div className="muted small inbox-meta">
                <RelativeTime ms={n.createdAt} now={now} />
                {n.read ? null : (
                  <Form method="post" className="inline">
                    <input type="hidden" name="ids" value={n.ids.join(",")} />
                    {" · "}
                    <button type="submit" name="intent" value="read" className="linklike">
                      Mark read
                    </button>
                  </Form>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {nextBefore !== null ? (
        <p>
          <Link to={`/notifications?before=${nextBefore}`}>Older notifications</Link>
        </p>
      ) : null}
    </section>
  );
}
