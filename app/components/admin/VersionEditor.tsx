import { Form, Link } from "@remix-run/react";
import type { ClauseStatus, Comparison, Clause, Version } from "~/models/clauses.server";
import { STATUS_WORDS } from "../ClauseTimeline";
import { Field } from "../Field";
import { FormErrors } from "./fields";

// The forms of /admin/topics/:slug/versions: the comparison, each version,
// each clause and each clause's cell per version. Every form names itself
// (intent:id:version) so a refusal shows at that form only.

export type ErrorsFor = (key: string) => Record<string, string[]> | undefined;

export function ComparisonForm({ comparison: c, errorsFor }: { comparison: Comparison | null; errorsFor: ErrorsFor }) {
  const e = errorsFor("comparison::");
  return (
    <Form method="post" className="stack admin-form" id="comparison" noValidate>
      <h2>The comparison</h2>
      <input type="hidden" name="intent" value="comparison" />
      <FormErrors errors={e} fields={["title", "intro"]} />
      <Field id="cmp-title" label="Title" name="title" defaultValue={c?.title ?? ""} errors={e?.title} />
      <Field id="cmp-intro" label="Introduction (plain text)" name="intro" defaultValue={c?.intro ?? ""} errors={e?.intro} />
      <button type="submit">{c ? "Save" : "Start the comparison"}</button>
    </Form>
  );
}

/** One version (or a new one) and, for an existing one, its delete button. */
export function VersionCard({ version: v, count, errorsFor }: { version: Version | null; count: number; errorsFor: ErrorsFor }) {
  const e = errorsFor(`version:${v?.id ?? ""}:`);
  const p = `v${v?.id ?? "new"}`;
  return (
    <div className="card">
      <Form method="post" className="stack admin-form" noValidate>
        <h3>{v ? v.label : "Add a version"}</h3>
        <input type="hidden" name="intent" value="version" />
        {v ? <input type="hidden" name="id" value={v.id} /> : null}
        <FormErrors errors={e} fields={["label", "released", "sourceUrl", "position"]} />
        <Field id={`${p}-label`} label="Name" name="label" defaultValue={v?.label ?? ""} errors={e?.label} />
        <Field id={`${p}-released`} label="Released" name="released" defaultValue={v?.released ?? ""} errors={e?.released} hint="A date, or dates, as readers should see them." />
        <Field id={`${p}-source`} label="Source link" name="sourceUrl" type="url" defaultValue={v?.sourceUrl ?? ""} errors={e?.sourceUrl} />
        <Field id={`${p}-position`} label="Position" name="position" inputMode="numeric" defaultValue={String(v?.position ?? count)} errors={e?.position} />
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
}

/** One clause (or a new one), its cell in each version, and its delete button. */
export function ClauseCard({
  clause: cl,
  comparison: c,
  topicSlug,
  statuses,
  errorsFor,
}: {
  clause: Clause | null;
  comparison: Comparison;
  topicSlug: string;
  statuses: readonly ClauseStatus[];
  errorsFor: ErrorsFor;
}) {
  const e = errorsFor(`clause:${cl?.id ?? ""}:`);
  const p = `c${cl?.id ?? "new"}`;
  return (
    <div className="card" id={cl ? `edit-clause-${cl.id}` : "new-clause"}>
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
                · poll <Link to={`/t/${topicSlug}/p/${cl.poll.slug}`}>{cl.poll.slug}</Link>
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
      {cl ? c.versions.map((v) => <CellForm key={v.id} clause={cl} version={v} statuses={statuses} errorsFor={errorsFor} />) : null}
      {cl ? (
        <Form method="post" className="inline">
          <input type="hidden" name="intent" value="delete-clause" />
          <input type="hidden" name="id" value={cl.id} />
          <button type="submit" className="secondary">Delete this clause</button>
        </Form>
      ) : null}
    </div>
  );
}

/** What a clause says in one version: a status word, our summary and its source. */
function CellForm({ clause: cl, version: v, statuses, errorsFor }: { clause: Clause; version: Version; statuses: readonly ClauseStatus[]; errorsFor: ErrorsFor }) {
  const cell = cl.cells[v.id];
  const ce = errorsFor(`cell:${cl.id}:${v.id}`);
  const q = `cell-${cl.id}-${v.id}`;
  return (
    <Form method="post" className="stack admin-form cell-form" noValidate>
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
}
