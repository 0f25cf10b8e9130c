import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { redirectSignedIn } from "~/auth/guards.server";
import { check, recordFailure, refund, take } from "~/auth/rate-limits.server";
import { startSession } from "~/auth/session.server";
import { Field } from "~/components/Field";
import { typedText } from "~/lib/format";
import { parseForm, readForm } from "~/lib/form.server";
import { keepRetryAfter } from "~/lib/headers";
import { failureReply, formReply } from "~/lib/http.server";
import { recoverWithCode } from "~/models/recovery.server";
import { recoverSchema } from "~/forms/account.server";

export const meta: MetaFunction = () => [{ title: "Recover your account — Pulse" }];

export const headers = keepRetryAfter;

export async function loader(args: LoaderFunctionArgs) {
  return redirectSignedIn(args);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(recoverSchema, await readForm(request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const { username, code, password } = parsed.data;
  const { limits, clientIp } = context;
  // Failures lock one account from one address: a stranger's guesses elsewhere
  // cannot lock the owner out, and the per-address limit stops one guesser
  // trying many accounts (issue 23).
  const account = `${username.toLowerCase()}@${clientIp}`;
  const limited =
    (await take(limits, limits.recoveryPerAddress, clientIp, "recovery attempts from your network address")) ??
    // A locked account answers 429 even to a right code: guessing gets nowhere.
    (await check(limits, limits.recoveryFailures, account, "recovery attempts for this account from your network address"));
  if (limited) return failureReply(limited, { username });
  const res = await recoverWithCode(username, code, password);
  if (!res.ok) {
    if (res.field === "code") await recordFailure(limits, limits.recoveryFailures, account, 3600);
    else await refund(limits, limits.recoveryPerAddress, clientIp);
    return failureReply(res, { username });
  }
  await refund(limits, limits.recoveryPerAddress, clientIp);
  // Every other session ended with the code; this device starts a new one.
  return redirect(`/settings?recovered=${res.left}#recovery`, { headers: { "Set-Cookie": await startSession(res.userId) } });
}

export default function Recover() {
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string[] | undefined> = data?.errors ?? {};
  return (
    <section className="narrow">
      <h1>Recover your account</h1>
      <p>
        Lost your password? Use one of the recovery codes you saved when you signed up. Each code works once; using one signs you out everywhere else. No codes? An admin can
        give you a one-time reset link.
      </p>
      <Form method="post" noValidate className="stack">
        {errors._form ? <p className="form-error" role="alert">{errors._form.join(" ")}</p> : null}
        <Field label="Username" name="username" autoComplete="username" required defaultValue={typedText(data?.values, "username") ?? ""} errors={errors.username} />
        <Field label="Recovery code" name="code" autoComplete="one-time-code" required spellCheck={false} hint="Like abcd-efgh-jkmn. Dashes and case do not matter." errors={errors.code} />
        <Field label="New password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters, and not a common password." errors={errors.password} />
        <button type="submit" disabled={busy}>{busy ? "Checking…" : "Set the new password"}</button>
      </Form>
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
