import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field } from "../Field";
import { useHydrated } from "../useHydrated";
import { Checkbox, FormErrors, Select, TextArea } from "./fields";
import { LIMITS } from "~/lib/format";

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
  allowGuests: boolean;
};

const FIELDS = ["slug", "question", "descriptionMd", "kind", "options", "minChoices", "maxChoices", "scaleMinLabel", "scaleMaxLabel", "visibility", "closesAt", "resolutionCriteria", "allowGuests"];
/** Empty option boxes under the filled ones; "Add an option" adds more. */
const SPARE = 2;

/**
 * The form's values with one more empty option row: what "Add an option"
 * answers, with or without JavaScript (the typed values are kept).
 */
export function withExtraOption(raw: Record<string, string | string[]>): Record<string, string | string[]> {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return { ...raw, intent: "save", options: [...list(raw.options), ""], optionIds: [...list(raw.optionIds), "new"], added: "1" };
}

/** A UTC instant as the value of a datetime-local input, in UTC or in this browser's zone. */
function inputValue(ms: number, local: boolean): string {
  if (!local) return new Date(ms).toISOString().slice(0, 16);
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Offset of this browser's zone at `ms`, as "UTC+01:00". */
function zoneName(ms: number): string {
  const off = -new Date(ms).getTimezoneOffset();
  const a = Math.abs(off);
  return `UTC${off >= 0 ? "+" : "−"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/**
 * The close time. Without JavaScript it is typed and read in UTC. With it,
 * the admin types their own local time and the browser sends the UTC instant
 * alongside (closesAtUtc), so daylight saving is the browser's business.
 */
function CloseTime({ v, initial, errors }: { v: Record<string, string | string[]>; initial: number | null; errors?: string[] }) {
  const local = useHydrated();
  // Sent back after an error: the UTC instant the browser computed, else the UTC field.
  const start = typeof v.closesAtUtc === "string" && v.closesAtUtc ? Date.parse(v.closesAtUtc) : typeof v.closesAt === "string" ? (v.closesAt ? Date.parse(`${v.closesAt}Z`) : null) : initial;
  const [utc, setUtc] = useState(start === null || Number.isNaN(start) ? "" : new Date(start).toISOString());
  return (
    <>
      <Field
        key={local ? "local" : "utc"}
        label={local ? `Close time (your time, ${zoneName(utc ? Date.parse(utc) : Date.now())}; optional)` : "Close time (UTC, optional)"}
        name="closesAt"
        id="f-closesAt"
        type="datetime-local"
        defaultValue={start === null || Number.isNaN(start) ? "" : inputValue(start, local)}
        errors={errors}
        onChange={local ? (e) => setUtc(e.currentTarget.value ? new Date(e.currentTarget.value).toISOString() : "") : undefined}
      />
      {local ? <input type="hidden" name="closesAtUtc" value={utc} /> : null}
    </>
  );
}

const asList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
const str = (v: string | string[] | undefined, d: string) => (typeof v === "string" ? v : d);

/** Create or edit a poll. With ballots, existing options can only be renamed and new ones added at the end. */
export function PollForm({ data, d, editing, locked }: { data?: PollFormData | null; d: PollDefaults; editing: boolean; locked: boolean }) {
  const e = data?.errors;
  const v = data?.values ?? {};
  const labels = asList(v.options);
  const ids = asList(v.optionIds);
  const alone = asList(v.exclusive) ?? [];
  const added = v.added === "1";
  const rows =
    labels && ids && labels.length === ids.length
      ? labels.map((label, i) => ({ id: ids[i] === "new" ? null : Number(ids[i]), label, exclusive: alone.includes(String(i)) }))
      : [...d.options, ...Array.from({ length: Math.max(SPARE, 6 - d.options.length) }, () => ({ id: null, label: "", exclusive: false }))];
  const kind = str(v.kind, d.kind);
  return (
    // Fields that do not apply to the chosen kind are hidden by CSS (:has), so this works without JavaScript too.
    <Form method="post" className="stack admin-form poll-admin" data-kind={locked ? d.kind : undefined} noValidate>
      <FormErrors errors={e} fields={FIELDS} />
      <Field label="Question" name="question" defaultValue={str(v.question, d.question)} errors={e?.question} required />
      {editing ? (
        <>
          <input type="hidden" name="slug" value={d.slug} />
          <p className="muted">Address: /p/{d.slug} (fixed once created)</p>
        </>
      ) : (
        <Field label="Slug (optional)" name="slug" defaultValue={str(v.slug, d.slug)} errors={e?.slug} hint="The address: /t/topic/p/slug. Left empty, it is made from the question." />
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
          <option value="ranked">Ranked choice (counted by instant runoff)</option>
        </Select>
      )}
      <fieldset className="field for-choice" aria-describedby={e?.options ? "f-options-error" : "f-options-hint"}>
        <legend>Options</legend>
        <p id="f-options-hint" className="hint">
          {locked ? "People have voted: rename options or add new ones at the end; none can be removed or moved." : "One per box, in order. Leave a box empty to drop it."}
        </p>
        {rows.map((o, i) => (
          <div key={i} className="option-row">
            <input type="hidden" name="optionIds" value={o.id === null ? "new" : String(o.id)} />
            <input name="options" aria-label={`Option ${i + 1}`} defaultValue={o.label} maxLength={LIMITS.option} autoFocus={added && i === rows.length - 1} />
            <label className="inline for-multiple">
              <input type="checkbox" name="exclusive" value={String(i)} defaultChecked={o.exclusive} /> Only on its own
            </label>
          </div>
        ))}
        <p className="hint for-multiple">Tick &quot;Only on its own&quot; for an answer such as &quot;None of these&quot;: picking it clears the others.</p>
        {e?.options ? <p id="f-options-error" className="field-error" role="alert">{e.options.join(" ")}</p> : null}
        <button type="submit" name="intent" value="add-option" className="small secondary" formNoValidate>
          Add an option
        </button>
      </fieldset>
      <div className="grid2">
        <div className="for-multiple">
          <Field label="Pick at least" name="minChoices" type="number" min={0} defaultValue={str(v.minChoices, String(d.minChoices))} errors={e?.minChoices} />
        </div>
        <div className="for-max">
          <Field label="Pick (or rank) at most" name="maxChoices" type="number" min={1} defaultValue={str(v.maxChoices, String(d.maxChoices))} errors={e?.maxChoices} />
        </div>
      </div>
      <div className="grid2 for-scale">
        <Field label="Label of 1" name="scaleMinLabel" defaultValue={str(v.scaleMinLabel, d.scaleMinLabel)} errors={e?.scaleMinLabel} />
        <Field label="Label of 5" name="scaleMaxLabel" defaultValue={str(v.scaleMaxLabel, d.scaleMaxLabel)} errors={e?.scaleMaxLabel} />
      </div>
      <Select label="Results are shown" name="visibility" defaultValue={str(v.visibility, d.visibility)} errors={e}>
        <option value="always">Always</option>
        <option value="after_vote">After the visitor has voted</option>
        <option value="after_close">After the poll closes</option>
      </Select>
      <CloseTime v={v} initial={d.closesAt} errors={e?.closesAt} />
      <div className="for-choice">
        <Checkbox label="Shuffle the options for each voter" name="shuffle" defaultChecked={v.intent ? v.shuffle === "on" : d.shuffle} />
      </div>
      <Checkbox label="Guests may answer (one browser, no account; never a prediction)" name="allowGuests" defaultChecked={v.intent ? v.allowGuests === "on" : d.allowGuests} />
      {e?.allowGuests ? <p className="error" role="alert">{e.allowGuests.join(" ")}</p> : null}
      <Checkbox label="This is a prediction" name="isPrediction" defaultChecked={v.intent ? v.isPrediction === "on" : d.isPrediction} />
      <div className="for-prediction">
        <TextArea label="Resolution criteria" name="resolutionCriteria" defaultValue={str(v.resolutionCriteria, d.resolutionCriteria)} errors={e} rows={3} />
      </div>
      <div className="actions">
        <button type="submit" name="intent" value="save">{editing ? "Save poll" : "Create poll"}</button>
      </div>
    </Form>
  );
}
