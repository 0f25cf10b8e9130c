import { Form } from "@remix-run/react";
import { Field } from "../Field";
import type { Values } from "~/lib/form-reply";
import { typedText } from "~/lib/format";
import { FormErrors, PreviewAndSave, TextArea } from "./fields";

export type TopicFormData = { errors?: Record<string, string[]>; values?: Values; preview?: string };

export function TopicForm({ data, defaults, submitLabel }: { data?: TopicFormData | null; defaults: Record<string, string>; submitLabel: string }) {
  const v: Record<string, string> = { ...defaults };
  for (const key of Object.keys(data?.values ?? {})) v[key] = typedText(data?.values, key) ?? "";
  const e = data?.errors;
  return (
    <Form method="post" className="stack admin-form" noValidate>
      <FormErrors errors={e} fields={["slug", "title", "summaryMd", "sourceUrl"]} />
      <Field label="Title" name="title" defaultValue={v.title} errors={e?.title} required />
      <Field label="Slug (optional)" name="slug" defaultValue={v.slug} errors={e?.slug} hint="The address: /t/slug. Lowercase letters, digits and hyphens. Left empty, it is made from the title." />
      <TextArea label="Summary (markdown)" name="summaryMd" defaultValue={v.summaryMd} errors={e} rows={12} required />
      <Field label="Source link" name="sourceUrl" type="url" defaultValue={v.sourceUrl} errors={e?.sourceUrl} hint="Optional: the article or post this topic is about." />
      <PreviewAndSave preview={data?.preview} saveLabel={submitLabel} />
    </Form>
  );
}
