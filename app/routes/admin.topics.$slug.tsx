import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { TopicForm } from "~/components/admin/TopicForm";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { formatDateTime, plural } from "~/lib/format";
import { renderMarkdown } from "~/lib/markdown.server";
import { listPollsForAdmin } from "~/models/polls.server";
import { getTopicForEdit, updateTopic } from "~/models/topics.server";
import { setThreadLocked } from "~/models/comments.server";
import { topicFormSchema, topicLockSchema } from "~/forms/admin.server";
import { failureReply, formDone, formReply, invariantResponse } from "~/lib/http.server";

async function topicOr404(slug: string | undefined) {
  const topic = await getTopicForEdit(slug ?? "");
  invariantResponse(topic, "Topic not found");
  return topic;
}

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  const topic = await topicOr404(args.params.slug);
  return { topic, polls: await listPollsForAdmin(topic.id) };
}

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const topic = await topicOr404(args.params.slug);
  const raw = formToObject(await readForm(args.request));
  if (raw.intent === "lock" || raw.intent === "unlock") {
    const lock = parseForm(topicLockSchema, raw);
    if (!lock.ok) return formReply(lock.errors, raw);
    await setThreadLocked(admin.id, topic.id, null, lock.data.intent === "lock", lock.data.reason);
    return redirect(`/admin/topics/${topic.slug}`);
  }
  const parsed = parseForm(topicFormSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, raw);
  if (parsed.data.intent === "preview") return formDone({ preview: renderMarkdown(parsed.data.summaryMd) }, { values: raw });
  const { intent: _intent, ...input } = parsed.data;
  const res = await updateTopic(admin.id, topic.id, input);
  if (!res.ok) return failureReply(res, raw);
  return redirect(`/admin/topics/${res.slug}`);
}

export default function EditTopic() {
  const { topic, polls } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <section>
      <p className="crumbs">
        <Link to="/admin/topics">← Topics</Link> · <Link to={`/t/${topic.slug}`}>View topic</Link>
      </p>
      <h1>{topic.title}</h1>
      <Form method="post" className="inline-actions">
        <p>
          {topic.locked ? "The general discussion is locked." : "The general discussion is open."}{" "}
          <button type="submit" name="intent" value={topic.locked ? "unlock" : "lock"} className="small secondary">
            {topic.locked ? "Unlock" : "Lock"}
          </button>
        </p>
      </Form>
      <h2>Polls</h2>
      <ul className="admin-list">
        {polls.map((p) => (
          <li key={p.id}>
            <Link to={`/admin/polls/${p.id}`}>{p.question}</Link>{" "}
            <span className="muted">
              {p.kind} · {plural(p.voterCount, "voter")}{p.closesAt ? ` · closes ${formatDateTime(p.closesAt)}` : ""}
              {p.isPrediction ? (p.resolvedAt ? " · resolved" : " · prediction") : ""}
            </span>
          </li>
        ))}
      </ul>
      <p>
        <Link to={`/admin/polls/new?topic=${topic.slug}`} className="button small">New poll</Link> <Link to={`/admin/topics/${topic.slug}/versions`}>Versions, clause by clause</Link>
      </p>
      <h2>Edit topic</h2>
      <TopicForm data={data && "values" in data ? data : null} defaults={{ title: topic.title, slug: topic.slug, summaryMd: topic.summaryMd, sourceUrl: topic.sourceUrl ?? "" }} submitLabel="Save topic" />
    </section>
  );
}
