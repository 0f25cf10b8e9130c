import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { TopicForm } from "~/components/admin/TopicForm";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { createTopic } from "~/models/topics.server";
import { topicFormSchema } from "~/forms/admin.server";
import { failureReply, formDone, formReply } from "~/lib/http.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  return null;
}

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const raw = formToObject(await readForm(args.request));
  const parsed = parseForm(topicFormSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, raw);
  if (parsed.data.intent === "preview") return formDone({ preview: renderMarkdown(parsed.data.summaryMd) }, { values: raw });
  const { intent: _intent, ...input } = parsed.data;
  const res = await createTopic(input, admin.id);
  if (!res.ok) return failureReply(res, raw);
  return redirect(`/admin/topics/${res.slug}`);
}

export default function NewTopic() {
  const data = useActionData<typeof action>();
  return (
    <section>
      <h1>New topic</h1>
      <TopicForm data={data} defaults={{ title: "", slug: "", summaryMd: "", sourceUrl: "" }} submitLabel="Create topic" />
    </section>
  );
}
