import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { endAllSessions, rotateSessions } from "~/auth/session.server";
import { Field } from "~/components/Field";
import { parseForm, readForm } from "~/lib/form.server";
import { changePassword, checkPassword, deleteAccount } from "~/models/account.server";
import { mutedKinds, mutedPeople, NOTIFICATION_KINDS, setMuted, setNotificationKinds } from "~/models/notifications.server";
// Only types and loader data cross to the browser: .server modules are empty there.
import { newRecoveryCodes, recoveryCodesLeft } from "~/models/recovery.server";
import { RecoveryCodes } from "~/components/RecoveryCodes";
import { DeleteAccount, NotificationSettings } from "~/components/SettingsSections";
import { settingsActionSchema } from "~/forms/account.server";
import { failureReply, formDone, formReply } from "~/lib/http.server";

export const meta: MetaFunction = () => [{ title: "Settings — Pulse" }];

// New recovery codes come back on this page: no cache, not even the browser's, may keep it.
const NO_STORE = { "Cache-Control": "no-store" };
export const headers: HeadersFunction = () => NO_STORE;

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const muted = await mutedKinds(user.id);
  const kinds = NOTIFICATION_KINDS.map((kind) => ({ kind, on: !muted.includes(kind) }));
  return { username: user.username, role: user.role, kinds, muted: await mutedPeople(user.id), codesLeft: await recoveryCodesLeft(user.id) };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const parsed = parseForm(settingsActionSchema, await readForm(args.request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values, { form: String(parsed.values.intent ?? "") });
  const d = parsed.data;
  switch (d.intent) {
    case "password": {
      const res = await changePassword(user.id, d.current, d.password);
      if (!res.ok) return failureReply(res, {}, "password");
      // Every other session ends; this device gets a new one.
      return redirect("/settings?changed=1", { headers: { "Set-Cookie": await rotateSessions(user.id) } });
    }
    case "notifications":
      await setNotificationKinds(user.id, d.kinds);
      return redirect("/settings?saved=notifications#notifications");
    case "unmute": {
      const res = await setMuted(user.id, d.username, false);
      if (!res.ok) return failureReply(res, {}, "unmute");
      return redirect("/settings?saved=notifications#notifications");
    }
    case "recovery-codes": {
      if (!(await checkPassword(user.id, d.current))) return formReply({ current: ["That is not your password."] }, {}, { form: "codes" });
      const codes = await newRecoveryCodes(user.id);
      // Shown once, in this response: they are stored only as digests.
      return formDone({ codes }, { form: "codes", init: { headers: NO_STORE } });
    }
    case "signout-everywhere":
      return redirect("/login", { headers: { "Set-Cookie": await endAllSessions(user.id) } });
    case "delete": {
      const res = await deleteAccount(user.id, d.current);
      if (!res.ok) return failureReply(res, {}, "delete");
      return redirect("/?deleted=1", { headers: { "Set-Cookie": await endAllSessions(user.id) } });
    }
  }
}


export default function Settings() {
  const { username, role, kinds, muted, codesLeft } = useLoaderData<typeof loader>();
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
      {params.get("recovered") !== null ? (
        <p className="notice" role="status">
          You are back in: your new password is set and every other session was signed out. You have {params.get("recovered")} recovery codes left.
        </p>
      ) : null}
      {params.get("reset") ? <p className="notice" role="status">Your new password is set and every other session was signed out.</p> : null}
      {params.get("changed") ? <p className="notice" role="status">Your password was changed and your other sessions were signed out.</p> : null}

      <h2>Change password</h2>
      <Form method="post" className="stack" noValidate>
        {e("password")?._form ? <p className="form-error" role="alert">{e("password")?._form?.join(" ")}</p> : null}
        <Field label="Current password" name="current" type="password" autoComplete="current-password" errors={e("password")?.current} required />
        <Field label="New password" name="password" type="password" autoComplete="new-password" errors={e("password")?.password} hint="At least 8 characters, and not a common password." required />
        <button type="submit" name="intent" value="password">Change password</button>
      </Form>

      <NotificationSettings kinds={kinds} muted={muted} saved={params.get("saved") === "notifications"} />

      <h2 id="recovery">Recovery codes</h2>
      <p>
        Pulse sends no e-mail. If you forget your password, one of your recovery codes lets you <a href="/recover">set a new one</a>. You have{" "}
        <strong>{codesLeft}</strong> unused {codesLeft === 1 ? "code" : "codes"}. Making new codes makes the old ones worthless.
      </p>
      {data?.form === "codes" && "codes" in data && data.codes ? (
        <RecoveryCodes codes={data.codes as string[]} />
      ) : (
        <Form method="post" className="stack" noValidate>
          <Field label="Password" name="current" id="f-codes-current" type="password" autoComplete="current-password" errors={e("codes")?.current} required />
          <button type="submit" name="intent" value="recovery-codes" className="secondary">Make new recovery codes</button>
        </Form>
      )}

      <h2>Sessions</h2>
      <Form method="post">
        <p>Signed in on another device you no longer use? End every session, this one included.</p>
        <button type="submit" name="intent" value="signout-everywhere" className="secondary">Sign out everywhere</button>
      </Form>

      <h2>Your data</h2>
      <p>
        <a href="/settings/export.json" download>Download my data</a> (JSON: your profile, answers with their history, and comments with their revisions).
      </p>

      <DeleteAccount errors={e("delete")} />
    </section>
  );
}
