import type { ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

type Errors = Record<string, string[] | undefined> | undefined;

export function ErrorText({ id, errors }: { id: string; errors?: string[] }) {
  return errors?.length ? (
    <p id={id} className="field-error" role="alert">
      {errors.join(" ")}
    </p>
  ) : null;
}

export function TextArea({ label, name, errors, hint, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; errors: Errors; hint?: string }) {
  const id = `f-${name}`;
  const e = errors?.[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
      <textarea id={id} name={name} aria-invalid={e?.length ? true : undefined} aria-describedby={e?.length ? `${id}-error` : hint ? `${id}-hint` : undefined} {...rest} />
      <ErrorText id={`${id}-error`} errors={e} />
    </div>
  );
}

export function Select({ label, name, errors, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; name: string; errors: Errors; children: ReactNode }) {
  const id = `f-${name}`;
  const e = errors?.[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} aria-invalid={e?.length ? true : undefined} aria-describedby={e?.length ? `${id}-error` : undefined} {...rest}>
        {children}
      </select>
      <ErrorText id={`${id}-error`} errors={e} />
    </div>
  );
}

export function Checkbox({ label, name, defaultChecked }: { label: string; name: string; defaultChecked?: boolean }) {
  return (
    <div className="field checkbox">
      <label>
        <input type="checkbox" name={name} defaultChecked={defaultChecked} /> {label}
      </label>
    </div>
  );
}

export function FormErrors({ errors, fields }: { errors: Errors; fields: string[] }) {
  if (!errors) return null;
  const other = Object.entries(errors)
    .filter(([k]) => !fields.includes(k))
    .flatMap(([, v]) => v ?? []);
  return other.length ? (
    <p className="form-error" role="alert">
      {other.join(" ")}
    </p>
  ) : null;
}

/** The rendered preview of a markdown form, if asked for, and its Preview and Save buttons. */
export function PreviewAndSave({ preview, saveLabel }: { preview: string | null | undefined; saveLabel: string }) {
  return (
    <>
      {typeof preview === "string" ? (
        <div className="preview">
          <p className="muted">Preview</p>
          <div className="prose" dangerouslySetInnerHTML={{ __html: preview }} />
        </div>
      ) : null}
      <div className="actions">
        <button type="submit" name="intent" value="preview" className="secondary">Preview</button>
        <button type="submit" name="intent" value="save">{saveLabel}</button>
      </div>
    </>
  );
}
