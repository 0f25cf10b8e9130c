import { Form } from "@remix-run/react";
import type { NotificationKind } from "~/models/notifications.server";
import { Field } from "./Field";

// Two sections of /settings, each with its own form.

const KIND_LABELS: Record<NotificationKind, string> = {
  reply: "Replies to my comments",
  mention: "Mentions of my @name",
  resolved: "Predictions I answered being resolved",
  report: "Answers to my reports",
  follow: "New comments in topics I follow",
};

/** Which notifications to get, and the people muted. */
export function NotificationSettings({ kinds, muted, saved }: { kinds: { kind: NotificationKind; on: boolean }[]; muted: string[]; saved: boolean }) {
  return (
    <>
      <h2 id="notifications">Notifications</h2>
      {saved ? <p className="notice" role="status">Saved.</p> : null}
      <Form method="post" className="stack">
        <fieldset>
          <legend>Tell me about</legend>
          {kinds.map(({ kind, on }) => (
            <label key={kind} className="check">
              <input type="checkbox" name="kinds" value={kind} defaultChecked={on} /> {KIND_LABELS[kind]}
            </label>
          ))}
        </fieldset>
        <button type="submit" name="intent" value="notifications" className="secondary">Save notification settings</button>
      </Form>
      <h3>Muted people</h3>
      {muted.length === 0 ? (
        <p className="muted small">Nobody. Mute someone from their profile: nothing they do will notify you.</p>
      ) : (
        <ul className="muted-people">
          {muted.map((name) => (
            <li key={name}>
              <Form method="post" className="inline">
                <input type="hidden" name="username" value={name} />
                <a href={`/u/${name}`}>{name}</a>{" "}
                <button type="submit" name="intent" value="unmute" className="small secondary">
                  Unmute
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Deleting the account: the password and a typed confirmation. */
export function DeleteAccount({ errors }: { errors: Record<string, string[]> | undefined }) {
  return (
    <>
      <h2>Delete account</h2>
      <Form method="post" className="stack" noValidate>
        <p>
          Your comments become “[deleted]” (replies stay in place), your answers are withdrawn from every count, and you are signed out everywhere. Your username stays
          reserved so no one can take it over.
        </p>
        {errors?._form ? <p className="form-error" role="alert">{errors?._form?.join(" ")}</p> : null}
        <Field label="Password" name="current" id="f-delete-current" type="password" autoComplete="current-password" errors={errors?.current} required />
        <Field label='Type "delete my account"' name="confirm" errors={errors?.confirm} required />
        <button type="submit" name="intent" value="delete" className="danger">Delete my account</button>
      </Form>
    </>
  );
}
