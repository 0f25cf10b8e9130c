import { Form } from "@remix-run/react";
import { Field } from "../Field";
import { Checkbox, FormErrors, Select, TextArea } from "./fields";

export type PollFormData = { errors?: Record<string, string[]>; values?: Record<string, string | string[]> };
export type PollDefaults = {
  slug: string;
  question: string;
  descriptionMd: string;
  kind: string;
  options: { id: number | null; label: string; exclusive: boolean }[];
  minChoices: number;
  maxChoices: number;
  scaleMinLabel: string;
  scaleMaxLabel: string;
  visibility: string;
  closesAt: number | null;
  shuffle: boolean;
  isPrediction: boolean;
  resolutionCriteria: string;
};

const FIELDS = ["slug", "question", "descriptionMd", "kind", "options", "minChoices", "maxChoices", "scaleMinLabel", "scaleMaxLabel", "visibility", "closesAt", "resolutionCriteria"];
const SPARE = 3;

const asList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const str = (v: string | string[] | undefined, d: string) => (typeof v === "string" ? v : d);

/** Create or edit a poll. With ballots, existing options can only be renamed and new ones added at the end. */
export function PollForm({ data, d, editing, locked }: { data?: PollFormData | null; d: PollDefaults; editing: boolean; locked: boolean }) {
  const e = data?.errors;
  const v = data?.values ?? {};
  const labels = asList(v.options);
  const ids = asList(v.optionIds);
  const alone = asList(v.exclusive) ?? [];
  const rows =
    labels && ids && labels.length === ids.length
      ? labels.map((label, i) => ({ id: ids[i] === "new" ? null : Number(ids[i]), label, exclusive: alone.includes(String(i)) }))
      : [...d.options, ...Array.from({ length: Math.max(SPARE, 6 - d.options.length) }, () => ({ id: null, label: "", exclusive: false }))];
  const kind = str(v.kind, d.kind);
  return (
    <Form method="post" className="stack admin-form" noValidate>
      <FormErrors errors={e} fields={FIELDS} />
      <Field label="Question" name="question" defaultValue={str(v.question, d.question)} errors={e?.question} required />
      {editing ? (
        <>
          <input type="hidden" name="slug" value={d.slug} />
          <p className="muted">Address: /p/{d.slug} (fixed once created)</p>
        </>
      ) : (
        <Field label="Slug" name="slug" defaultValue={str(v.slug, d.slug)} errors={e?.slug} hint="The address: /t/topic/p/slug." required />
      )}
      <TextArea label="Description (markdown, optional)" name="descriptionMd" defaultValue={str(v.descriptionMd, d.descriptionMd)} errors={e} rows={3} />
      {locked ? (
        <>
          <input type="hidden" name="kind" value={d.kind} />
          <p className="muted">Kind: {d.kind} (fixed: people have voted).</p>
        </>
      ) : (
        <Select label="Kind" name="kind" defaultValue={kind} errors={e}>
          <option value="single">Single choice</option>
          <option value="multiple">Multiple choice</option>
          <option value="scale">Agree/disagree scale (1–5)</option>
        </Select>
      )}
      <fieldset className="field" aria-describedby={e?.options ? "f-options-error" : "f-options-hint"}>
        <legend>Options (choice questions)</legend>
        <p id="f-options-hint" className="hint">
          {locked ? "People have voted: rename options or add new ones at the end; none can be removed or moved." : "One per box, in order. Leave a box empty to drop it. Tick \"Only on its own\" for an answer such as \"None of these\" (multiple choice)."}
        </p>
        {rows.map((o, i) => (
          <div key={i} className="option-row">
            <input type="hidden" name="optionIds" value={o.id === null ? "new" : String(o.id)} />
            <input name="options" aria-label={`Option ${i + 1}`} defaultValue={o.label} maxLength={200} />
            <label className="inline">
              <input type="checkbox" name="exclusive" value={String(i)} defaultChecked={o.exclusive} /> Only on its own
            </label>
          </div>
        ))}
        {e?.options ? <p id="f-options-error" className="field-error" role="alert">{e.options.join(" ")}</p> : null}
      </fieldset>
      <div className="grid2">
        <Field label="Multiple choice: at least" name="minChoices" type="number" min={0} defaultValue={str(v.minChoices, String(d.minChoices))} errors={e?.minChoices} />
        <Field label="Multiple choice: at most" name="maxChoices" type="number" min={1} defaultValue={str(v.maxChoices, String(d.maxChoices))} errors={e?.maxChoices} />
        <Field label="Scale: label of 1" name="scaleMinLabel" defaultValue={str(v.scaleMinLabel, d.scaleMinLabel)} errors={e?.scaleMinLabel} />
        <Field label="Scale: label of 5" name="scaleMaxLabel" defaultValue={str(v.scaleMaxLabel, d.scaleMaxLabel)} errors={e?.scaleMaxLabel} />
      </div>
      <Select label="Results are shown" name="visibility" defaultValue={str(v.visibility, d.visibility)} errors={e}>
        <option value="always">Always</option>
        <option value="after_vote">After the visitor has voted</option>
        <option value="after_close">After the poll closes</option>
      </Select>
      <Field
        label="Close time (UTC, optional)"
        name="closesAt"
        type="datetime-local"
        defaultValue={str(v.closesAt, d.closesAt ? new Date(d.closesAt).toISOString().slice(0, 16) : "")}
        errors={e?.closesAt}
      />
      <Checkbox label="Shuffle the options for each voter (never for scales)" name="shuffle" defaultChecked={v.intent ? v.shuffle === "on" : d.shuffle} />
      <Checkbox label="This is a prediction" name="isPrediction" defaultChecked={v.intent ? v.isPrediction === "on" : d.isPrediction} />
      <TextArea label="Resolution criteria (predictions)" name="resolutionCriteria" defaultValue={str(v.resolutionCriteria, d.resolutionCriteria)} errors={e} rows={3} />
      <div className="actions">
        <button type="submit" name="intent" value="save">{editing ? "Save poll" : "Create poll"}</button>
      </div>
    </Form>
  );
}
