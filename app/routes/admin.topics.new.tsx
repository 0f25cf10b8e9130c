import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { TopicForm } from "~/components/admin/TopicForm";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { createTopic } from "~/models/topics.server";
import { topicFormSchema } from "~/models/validation.server";
import { failureJson } from "~/lib/http.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  return null;
}

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const raw = formToObject(await readForm(args.request));
  const parsed = parseForm(topicFormSchema, raw);
  const values = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  if (!parsed.ok) return json({ errors: parsed.errors, values }, { status: 400 });
  if (parsed.data.intent === "preview") return json({ preview: renderMarkdown(parsed.data.summaryMd), values });
  const { intent: _intent, ...input } = parsed.data;
  const res = await createTopic(input, admin.id);
  if (!res.ok) return failureJson(res, { values });
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
