import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { STATUS_WORDS } from "~/components/ClauseTimeline";
import { Field } from "~/components/Field";
import { FormErrors } from "~/components/admin/fields";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { failureReply, formReply, invariantResponse } from "~/lib/http.server";
import { CLAUSE_STATUS_LIST, deleteClause, deleteVersion, getComparison, saveCell, saveClause, saveComparison, saveVersion } from "~/models/clauses.server";
import type { Failure } from "~/models/outcome";
import { getTopicBySlug } from "~/models/topics.server";
import { comparisonActionSchema } from "~/models/validation.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  const topic = await getTopicBySlug(args.params.slug ?? "");
  invariantResponse(topic, "Topic not found");
  return { topic: { slug: topic.slug, title: topic.title }, comparison: await getComparison(topic.id), statuses: CLAUSE_STATUS_LIST };
}

/** Which form sent the request, so its errors show at that form and nowhere else. */
const formKey = (raw: Record<string, unknown>) => `${String(raw.intent ?? "")}:${String(raw.id ?? raw.clause ?? "")}:${String(raw.version ?? "")}`;

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const topic = await getTopicBySlug(args.params.slug ?? "");
  invariantResponse(topic, "Topic not found");
  const raw = formToObject(await readForm(args.request));
  const form = formKey(raw);
  const parsed = parseForm(comparisonActionSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, raw, { form });
  const d = parsed.data;
  const back = (anchor: string) => redirect(`/admin/topics/${topic.slug}/versions?saved=1#${anchor}`);
  let res: { ok: true } | Failure;
  let anchor = "comparison";
  switch (d.intent) {
    case "comparison":
      res = await saveComparison(admin.id, topic.id, { title: d.title, intro: d.intro });
      break;
    case "version":
      res = await saveVersion(admin.id, topic.id, d.id ?? null, { label: d.label, released: d.released, sourceUrl: d.sourceUrl, position: d.position });
      anchor = "versions";
      break;
    case "delete-version":
      res = await deleteVersion(admin.id, topic.id, d.id);
      anchor = "versions";
      break;
    case "clause": {
      const saved = await saveClause(admin.id, topic.id, d.id ?? null, { slug: d.slug ?? "", title: d.title, position: d.position });
      anchor = saved.ok ? `edit-clause-${saved.id}` : "clauses";
      res = saved;
      break;
    }
    case "delete-clause":
      res = await deleteClause(admin.id, topic.id, d.id);
      anchor = "clauses";
      break;
    case "cell":
      res = await saveCell(admin.id, topic.id, d.clause, d.version, d.status === "" ? null : { status: d.status, summary: d.summary, sourceUrl: d.sourceUrl });
      anchor = `edit-clause-${d.clause}`;
      break;
  }
  if (!res.ok) return failureReply(res, raw, form);
  return back(anchor);
}

export default function EditVersions() {
  const { topic, comparison, statuses } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  // Errors belong to the form that was sent.
  const errorsFor = (key: string) => (data?.form === key ? data.errors : undefined);
  const c = comparison;
  return (
    <section className="stack">
      <p>
        <Link to={`/admin/topics/${topic.slug}`}>← {topic.title}</Link> · <Link to={`/t/${topic.slug}/versions`}>View the versions page</Link>
      </p>
      <h1>Versions, clause by clause</h1>
      {params.get("saved") ? (
        <p className="notice" role="status">
          Saved. The versions page shows the change.
        </p>
      ) : null}

      <Form method="post" className="stack admin-form" id="comparison" noValidate>
        <h2>The comparison</h2>
        <input type="hidden" name="intent" value="comparison" />
        <FormErrors errors={errorsFor("comparison::")} fields={["title", "intro"]} />
        <Field id="cmp-title" label="Title" name="title" defaultValue={c?.title ?? ""} errors={errorsFor("comparison::")?.title} />
        <Field id="cmp-intro" label="Introduction (plain text)" name="intro" defaultValue={c?.intro ?? ""} errors={errorsFor("comparison::")?.intro} />
        <button type="submit">{c ? "Save" : "Start the comparison"}</button>
      </Form>

      {c ? (
        <>
          <h2 id="versions">Versions</h2>
          {[...c.versions, null].map((v) => {
            const key = `version:${v?.id ?? ""}:`;
            const e = errorsFor(key);
            const p = `v${v?.id ?? "new"}`;
            return (
              <div key={v?.id ?? "new"} className="card">
                <Form method="post" className="stack admin-form" noValidate>
                  <h3>{v ? v.label : "Add a version"}</h3>
                  <input type="hidden" name="intent" value="version" />
                  {v ? <input type="hidden" name="id" value={v.id} /> : null}
                  <FormErrors errors={e} fields={["label", "released", "sourceUrl", "position"]} />
                  <Field id={`${p}-label`} label="Name" name="label" defaultValue={v?.label ?? ""} errors={e?.label} />
                  <Field id={`${p}-released`} label="Released" name="released" defaultValue={v?.released ?? ""} errors={e?.released} hint="A date, or dates, as readers should see them." />
                  <Field id={`${p}-source`} label="Source link" name="sourceUrl" type="url" defaultValue={v?.sourceUrl ?? ""} errors={e?.sourceUrl} />
                  <Field id={`${p}-position`} label="Position" name="position" inputMode="numeric" defaultValue={String(v?.position ?? c.versions.length)} errors={e?.position} />
                  <button type="submit">{v ? "Save version" : "Add version"}</button>
                </Form>
                {v ? (
                  <Form method="post" className="inline">
                    <input type="hidden" name="intent" value="delete-version" />
                    <input type="hidden" name="id" value={v.id} />
                    <FormErrors errors={errorsFor(`delete-version:${v.id}:`)} fields={[]} />
                    <button type="submit" className="secondary">Delete {v.label} and its cells</button>
                  </Form>
                ) : null}
              </div>
            );
          })}

          <h2 id="clauses">Clauses</h2>
          <p className="muted">Each clause gets its own scale poll, whose thread is the clause&apos;s discussion. Deleting a clause keeps its poll and thread as an ordinary question.</p>
          {[...c.clauses, null].map((cl) => {
            const key = `clause:${cl?.id ?? ""}:`;
            const e = errorsFor(key);
            const p = `c${cl?.id ?? "new"}`;
            return (
              <div key={cl?.id ?? "new"} className="card" id={cl ? `edit-clause-${cl.id}` : "new-clause"}>
                <Form method="post" className="stack admin-form" noValidate>
                  <h3>{cl ? cl.title : "Add a clause"}</h3>
                  <input type="hidden" name="intent" value="clause" />
                  {cl ? <input type="hidden" name="id" value={cl.id} /> : null}
                  <FormErrors errors={e} fields={["slug", "title", "position"]} />
                  {cl ? (
                    <p className="muted">
                      Anchor <code>#clause-{cl.slug}</code>
                      {cl.poll ? (
                        <>
                          {" "}
                          · poll <Link to={`/t/${topic.slug}/p/${cl.poll.slug}`}>{cl.poll.slug}</Link>
                        </>
                      ) : null}
                    </p>
                  ) : (
                    <Field id={`${p}-slug`} label="Slug" name="slug" defaultValue="" errors={e?.slug} hint='For the address: "1v" gives #clause-1v and the poll clause-1v.' />
                  )}
                  <Field id={`${p}-title`} label="Clause" name="title" defaultValue={cl?.title ?? ""} errors={e?.title} />
                  <Field id={`${p}-position`} label="Position" name="position" inputMode="numeric" defaultValue={String(cl?.position ?? c.clauses.length)} errors={e?.position} />
                  <button type="submit">{cl ? "Save clause" : "Add clause and its poll"}</button>
                </Form>
                {cl
                  ? c.versions.map((v) => {
                      const cell = cl.cells[v.id];
                      const ce = errorsFor(`cell:${cl.id}:${v.id}`);
                      const q = `cell-${cl.id}-${v.id}`;
                      return (
                        <Form key={v.id} method="post" className="stack admin-form cell-form" noValidate>
                          <h4>In {v.label}</h4>
                          <input type="hidden" name="intent" value="cell" />
                          <input type="hidden" name="clause" value={cl.id} />
                          <input type="hidden" name="version" value={v.id} />
                          <FormErrors errors={ce} fields={["status", "summary", "sourceUrl"]} />
                          <div className="field">
                            <label htmlFor={`${q}-status`}>Status</label>
                            <select id={`${q}-status`} name="status" defaultValue={cell?.status ?? ""}>
                              <option value="">No entry</option>
                              {statuses.map((s) => (
                                <option key={s} value={s}>
                                  {STATUS_WORDS[s]}
                                </option>
                              ))}
                            </select>
                          </div>
                          <Field id={`${q}-summary`} label="Summary, in our own words" name="summary" defaultValue={cell?.summary ?? ""} errors={ce?.summary} />
                          <Field id={`${q}-source`} label="Source link" name="sourceUrl" type="url" defaultValue={cell?.sourceUrl ?? ""} errors={ce?.sourceUrl} />
                          <button type="submit">Save {v.label}</button>
                        </Form>
                      );
                    })
                  : null}
                {cl ? (
                  <Form method="post" className="inline">
                    <input type="hidden" name="intent" value="delete-clause" />
                    <input type="hidden" name="id" value={cl.id} />
                    <button type="submit" className="secondary">Delete this clause</button>
                  </Form>
                ) : null}
              </div>
            );
          })}
        </>
      ) : null}
    </section>
  );
}
