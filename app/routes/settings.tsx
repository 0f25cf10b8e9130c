import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { endAllSessions, rotateSessions } from "~/auth/session.server";
import { Field } from "~/components/Field";
import { parseForm, readForm } from "~/lib/form.server";
import { changePassword, deleteAccount } from "~/models/account.server";
import { settingsActionSchema } from "~/models/validation.server";
import { failureJson } from "~/lib/http.server";

export const meta: MetaFunction = () => [{ title: "Settings — Pulse" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  return { username: user.username, role: user.role };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const parsed = parseForm(settingsActionSchema, await readForm(args.request));
  if (!parsed.ok) return json({ form: String(parsed.values.intent ?? ""), errors: parsed.errors }, { status: 400 });
  const d = parsed.data;
  switch (d.intent) {
    case "password": {
      const res = await changePassword(user.id, d.current, d.password);
      if (!res.ok) return failureJson(res, { form: "password" });
      // Every other session ends; this device gets a new one.
      return redirect("/settings?changed=1", { headers: { "Set-Cookie": await rotateSessions(user.id) } });
    }
    case "signout-everywhere":
      return redirect("/login", { headers: { "Set-Cookie": await endAllSessions(user.id) } });
    case "delete": {
      const res = await deleteAccount(user.id, d.current);
      if (!res.ok) return failureJson(res, { form: "delete" });
      return redirect("/?deleted=1", { headers: { "Set-Cookie": await endAllSessions(user.id) } });
    }
  }
}

export default function Settings() {
  const { username, role } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const e = (form: string) => (data?.form === form ? (data.errors as Record<string, string[]>) : undefined);
  return (
    <section className="narrow settings">
      <h1>Settings</h1>
      <dl className="facts">
        <dt>Username</dt>
        <dd>{username}</dd>
        <dt>Role</dt>
        <dd>{role}</dd>
      </dl>
      {params.get("changed") ? <p className="notice" role="status">Your password was changed and your other sessions were signed out.</p> : null}

      <h2>Change password</h2>
      <Form method="post" className="stack" noValidate>
        {e("password")?._form ? <p className="form-error" role="alert">{e("password")?._form?.join(" ")}</p> : null}
        <Field label="Current password" name="current" type="password" autoComplete="current-password" errors={e("password")?.current} required />
        <Field label="New password" name="password" type="password" autoComplete="new-password" errors={e("password")?.password} hint="At least 8 characters, and not a common password." required />
        <button type="submit" name="intent" value="password">Change password</button>
      </Form>

      <h2>Sessions</h2>
      <Form method="post">
        <p>Signed in on another device you no longer use? End every session, this one included.</p>
        <button type="submit" name="intent" value="signout-everywhere" className="secondary">Sign out everywhere</button>
      </Form>

      <h2>Your data</h2>
      <p>
        <a href="/settings/export.json" download>Download my data</a> (JSON: your profile, answers with their history, and comments with their revisions).
      </p>

      <h2>Delete account</h2>
      <Form method="post" className="stack" noValidate>
        <p>
          Your comments become “[deleted]” (replies stay in place), your answers are withdrawn from every count, and you are signed out everywhere. Your username stays
          reserved so no one can take it over.
        </p>
        {e("delete")?._form ? <p className="form-error" role="alert">{e("delete")?._form?.join(" ")}</p> : null}
        <Field label="Password" name="current" id="f-delete-current" type="password" autoComplete="current-password" errors={e("delete")?.current} required />
        <Field label='Type "delete my account"' name="confirm" errors={e("delete")?.confirm} required />
        <button type="submit" name="intent" value="delete" className="danger">Delete my account</button>
      </Form>
    </section>
  );
}
