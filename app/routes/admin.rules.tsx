import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { FormErrors, PreviewAndSave, TextArea } from "~/components/admin/fields";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { getSiteText, saveSiteText } from "~/models/site-texts.server";
import { siteTextSchema } from "~/forms/admin.server";
import { typedText } from "~/lib/format";
import { formDone, formReply } from "~/lib/http.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  return getSiteText("rules");
}

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const raw = formToObject(await readForm(args.request));
  const values = { bodyMd: typeof raw.bodyMd === "string" ? raw.bodyMd : "" };
  const parsed = parseForm(siteTextSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, values);
  if (parsed.data.intent === "preview") return formDone({ preview: renderMarkdown(parsed.data.bodyMd) }, { values });
  await saveSiteText(admin.id, "rules", parsed.data.bodyMd);
  return redirect("/admin/rules?saved=1");
}

export default function EditRules() {
  const rules = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const e = data?.errors ?? undefined;
  return (
    <section>
      <h1>Rules</h1>
      <p className="muted">
        Shown at <Link to="/rules">/rules</Link> and linked from every thread. {rules.updatedAt ? null : "Nobody has changed them yet: this is the default text."}
      </p>
      {params.get("saved") ? <p className="notice" role="status">Saved. The rules page shows the new text.</p> : null}
      <Form method="post" className="stack admin-form" noValidate>
        <FormErrors errors={e} fields={["bodyMd"]} />
        <TextArea label="Rules (markdown)" name="bodyMd" defaultValue={typedText(data?.values, "bodyMd") ?? rules.bodyMd} errors={e} rows={16} />
        <PreviewAndSave preview={data && "preview" in data ? data.preview : undefined} saveLabel="Save rules" />
      </Form>
    </section>
  );
}
