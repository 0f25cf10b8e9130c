import { Link, useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { LIMITS, typedText } from "~/lib/format";
import { useHydrated } from "./useHydrated";

/** Where a new comment or reply is posted; the URL names the thread, and the reader's sort to come back to. */
export function composeUrl(topicSlug: string, pollSlug: string | null, parentId: number | null, sort?: string): string {
  const p = new URLSearchParams();
  if (pollSlug) p.set("poll", pollSlug);
  if (parentId !== null) p.set("parent", String(parentId));
  if (sort && sort !== "best") p.set("sort", sort);
  const q = p.toString();
  return `/t/${topicSlug}/comment${q ? `?${q}` : ""}`;
}

export type CommentFormResult = {
  ok?: boolean;
  id?: number;
  /** A new account's comment that waits for a moderator (issue 28). */
  held?: boolean;
  preview?: string;
  errors?: Record<string, string[]>;
  values?: Record<string, string | string[]>;
};

type Props = {
  /** Unique per form on the page, so fetchers do not collide. */
  formId: string;
  action: string;
  intent: "post" | "edit";
  hidden: Record<string, string>;
  label: string;
  submitLabel: string;
  defaultBody?: string;
  stanceOptions?: { id: number; label: string }[];
  /** The writer's own answer to the thread's poll: offered as a choice, never pre-selected. */
  yourAnswer?: number | null;
  /** Result of a plain form post, rendered by the page that handled it. */
  result?: CommentFormResult | null;
  onDone?: () => void;
};

/** What a new account reads when its comment waits for review (trust levels, issue 28). */
export const HELD_NOTICE = "Your comment links to other sites, so as a new account it waits for a moderator: until one accepts it, only you see it (it is listed above the form).";

/** Markdown comment form: preview and post work with and without JavaScript. */
export function CommentForm({ formId, action, intent, hidden, label, submitLabel, defaultBody = "", stanceOptions, yourAnswer, result, onDone }: Props) {
  const fetcher = useFetcher<CommentFormResult>({ key: formId });
  const hydrated = useHydrated();
  const [generation, setGeneration] = useState(0);
  const data = fetcher.data ?? result ?? null;
  const pending = fetcher.state !== "idle";
  const pendingIntent = fetcher.formData?.get("intent");
  const errors = data?.errors ?? {};
  const fieldErrors = [...(errors.body ?? []), ...(errors._form ?? [])];
  const otherErrors = Object.entries(errors)
    .filter(([k]) => k !== "body" && k !== "_form")
    .flatMap(([, v]) => v);
  const bodyId = `${formId}-body`;
  const errorId = `${formId}-error`;

  // After a successful post with JavaScript, empty the form for the next comment.
  const done = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data : null;
  useEffect(() => {
    if (!done) return;
    setGeneration((g) => g + 1);
    onDone?.();
  }, [done, onDone]);

  // The confirmation takes the focus once the new form is drawn, so it is read out and the next Tab continues from it.
  const postedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (generation > 0) postedRef.current?.focus();
  }, [generation]);
  const typed = data?.values?.body;
  return (
    <fetcher.Form method="post" action={action} className="comment-form stack" key={generation} aria-busy={pending}>
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
      <div className="hp" aria-hidden="true">
        <label>
          Leave this empty <input type="text" name="website" tabIndex={-1} autoComplete="off" defaultValue="" />
        </label>
      </div>
      <div className="field">
        <label htmlFor={bodyId}>{label}</label>
        <textarea
          id={bodyId}
          name="body"
          rows={4}
          maxLength={LIMITS.comment}
          defaultValue={typed ?? defaultBody}
          aria-invalid={fieldErrors.length ? true : undefined}
          aria-describedby={fieldErrors.length ? errorId : `${formId}-hint`}
        />
        <p id={`${formId}-hint`} className="hint">
          Markdown: *emphasis*, **strong**, [links](https://example.com), lists, &gt; quotes, `code`. No images or HTML.
        </p>
        {fieldErrors.length ? (
          <p id={errorId} className="field-error" role="alert">
            {fieldErrors.join(" ")}
          </p>
        ) : null}
      </div>
      {stanceOptions && stanceOptions.length ? (
        <StanceField formId={formId} options={stanceOptions} yourAnswer={yourAnswer ?? null} initial={typedText(data?.values, "stance") ?? ""} />
      ) : null}
      {otherErrors.length ? (
        <p className="form-error" role="alert">
          {otherErrors.join(" ")}
        </p>
      ) : null}
      {intent === "post" && fetcher.state === "idle" && fetcher.data?.ok && fetcher.data.id ? (
        <p className="notice" role="status" tabIndex={-1} ref={postedRef}>
          {fetcher.data.held ? HELD_NOTICE : <>Posted. <Link to={`/c/${fetcher.data.id}`}>See your comment in its thread</Link>.</>}
        </p>
      ) : null}
      {data?.preview !== undefined && data.ok !== false ? (
        <div className="preview">
          <p className="muted">Preview</p>
          <div className="comment-body" dangerouslySetInnerHTML={{ __html: data.preview }} />
        </div>
      ) : null}
      <div className="actions">
        {intent === "post" ? (
          <button type="submit" name="intent" value="preview" className="secondary" disabled={pending}>
            {pending && pendingIntent === "preview" ? "Rendering…" : "Preview"}
          </button>
        ) : null}
        <button type="submit" name="intent" value={intent} disabled={pending}>
          {pending && pendingIntent === intent ? "Saving…" : submitLabel}
        </button>
      </div>
    </fetcher.Form>
  );
}

/**
 * The stance shown with a comment. It starts at "No stance" whatever the writer
 * voted, so a comment never publishes a ballot by default; the writer's own
 * answer comes first and is marked, one click away.
 */
function StanceField({ formId, options, yourAnswer, initial }: { formId: string; options: { id: number; label: string }[]; yourAnswer: number | null; initial: string }) {
  const ordered = yourAnswer === null ? options : [...options.filter((o) => o.id === yourAnswer), ...options.filter((o) => o.id !== yourAnswer)];
  return (
    <fieldset className="field stance-field" aria-describedby={`${formId}-stance-hint`}>
      <legend>Your stance (optional)</legend>
      <p id={`${formId}-stance-hint`} className="hint">
        Shown next to your comment. Your vote stays private unless you pick it here.
      </p>
      <ul className="choices compact">
        <li>
          <label>
            <input type="radio" name="stance" value="" defaultChecked={initial === ""} /> No stance
          </label>
        </li>
        {ordered.map((o) => (
          <li key={o.id}>
            <label>
              <input type="radio" name="stance" value={String(o.id)} defaultChecked={initial === String(o.id)} /> {o.label}
              {o.id === yourAnswer ? <span className="badge">your answer</span> : null}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
