import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { ClauseCard, ComparisonForm, VersionCard, type ErrorsFor } from "~/components/admin/VersionEditor";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { failureReply, formReply, invariantResponse } from "~/lib/http.server";
import { CLAUSE_STATUS_LIST, deleteClause, deleteVersion, getComparison, saveCell, saveClause, saveComparison, saveVersion } from "~/models/clauses.server";
import type { Failure } from "~/models/outcome";
import { getTopicBySlug } from "~/models/topics.server";
import { comparisonActionSchema } from "~/forms/admin.server";

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
  const { topic, comparison: c, statuses } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  // Errors belong to the form that was sent.
  const errorsFor: ErrorsFor = (key) => (data?.form === key ? data.errors : undefined);
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
      <ComparisonForm comparison={c} errorsFor={errorsFor} />
      {c ? (
        <>
          <h2 id="versions">Versions</h2>
          {[...c.versions, null].map((v) => (
            <VersionCard key={v?.id ?? "new"} version={v} count={c.versions.length} errorsFor={errorsFor} />
          ))}
          <h2 id="clauses">Clauses</h2>
          <p className="muted">Each clause gets its own scale poll, whose thread is the clause&apos;s discussion. Deleting a clause keeps its poll and thread as an ordinary question.</p>
          {[...c.clauses, null].map((cl) => (
            <ClauseCard key={cl?.id ?? "new"} clause={cl} comparison={c} topicSlug={topic.slug} statuses={statuses} errorsFor={errorsFor} />
          ))}
        </>
      ) : null}
    </section>
  );
}
