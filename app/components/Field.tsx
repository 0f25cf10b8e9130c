import type { InputHTMLAttributes } from "react";

type Props = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
};

/** A labelled input whose errors are tied to it for screen readers. */
export function Field({ label, name, errors, hint, ...input }: Props) {
  // Two forms on one page may share a field name; they pass their own id.
  const id = input.id ?? `f-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? <p id={`${id}-hint`} className="hint">{hint}</p> : null}
      <input
        id={id}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {errors?.length ? (
        <p id={`${id}-error`} className="field-error" role="alert">{errors.join(" ")}</p>
      ) : null}
    </div>
  );
}
