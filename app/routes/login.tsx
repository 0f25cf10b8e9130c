import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { check, give, recordLoginFailure, refund, take } from "~/auth/rate-limits.server";
import { redirectSignedIn } from "~/auth/guards.server";
import { signInFrom } from "~/auth/session.server";
import { keepRetryAfter } from "~/lib/headers";
import { Field } from "~/components/Field";
import { typedText } from "~/lib/format";
import { parseForm, readForm, safeRedirect } from "~/lib/form.server";
import { failureReply, formReply } from "~/lib/http.server";
import { verifyCredentials } from "~/models/users.server";
import { loginSchema } from "~/forms/account.server";

export const meta: MetaFunction = () => [{ title: "Sign in — Pulse" }];

export async function loader(args: LoaderFunctionArgs) {
  return redirectSignedIn(args);
}

export const headers = keepRetryAfter;

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(loginSchema, await readForm(request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const { username, password, redirectTo } = parsed.data;
  const { limits, clientIp } = context;
  const account = username.toLowerCase();
  const typed = { username, redirectTo: redirectTo ?? "" };
  const limited =
    (await take(limits, limits.loginPerAddress, clientIp, "failed sign-ins from your network address")) ??
    // A locked account answers 429 even to the right password.
    (await check(limits, limits.loginFailures, account, "failed sign-ins for this account"));
  if (limited) return failureReply(limited, typed);
  const found = await verifyCredentials(username, password);
  if (!found) await recordLoginFailure(limits, account);
  else {
    // Only failures count against an address: a class signing in together is not an attack.
    await give(limits, limits.loginFailures, account);
    await refund(limits, limits.loginPerAddress, clientIp);
  }
  if (!found || found.banned) {
    const message = found?.banned ? "This account is suspended." : "Wrong username or password.";
    return formReply({ _form: [message] }, typed, { init: { status: found ? 403 : 400 } });
  }
  return redirect(safeRedirect(redirectTo), { headers: await signInFrom(found.userId, context.auth.guest) });
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = typedText(data?.values, "redirectTo") ?? params.get("redirectTo") ?? "";
  const errors: Record<string, string[] | undefined> = data?.errors ?? {};
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <Form method="post" noValidate className="stack">
        {errors._form ? <p className="form-error" role="alert">{errors._form.join(" ")}</p> : null}
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          defaultValue={typedText(data?.values, "username") ?? ""}
          errors={errors.username}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          errors={errors.password}
        />
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </Form>
      <p>
        <Link to="/recover">Forgot your password?</Link>
      </p>
      <p>
        New here?{" "}
        <Link to={`/signup${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}>Create an account</Link>
      </p>
    </section>
  );
}
