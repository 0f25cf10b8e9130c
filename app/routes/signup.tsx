import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { take } from "~/auth/rate-limits.server";
import { redirectSignedIn } from "~/auth/guards.server";
import { signInFrom } from "~/auth/session.server";
import { keepRetryAfter } from "~/lib/headers";
import { Field } from "~/components/Field";
import { LIMITS, typedText } from "~/lib/format";
import { parseForm, readForm, safeRedirect } from "~/lib/form.server";
import { failureReply, formReply } from "~/lib/http.server";
import { createUser } from "~/models/users.server";
import { signupSchema } from "~/forms/account.server";

export const meta: MetaFunction = () => [{ title: "Sign up — Pulse" }];

export async function loader(args: LoaderFunctionArgs) {
  return redirectSignedIn(args);
}

export const headers = keepRetryAfter;

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(signupSchema, await readForm(request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const { username, password, redirectTo } = parsed.data;
  const { limits, clientIp } = context;
  const typed = { username, redirectTo: redirectTo ?? "" };
  const limited =
    (await take(limits, limits.signupPerAddress, clientIp, "new accounts from your network address")) ??
    (await take(limits, limits.signupEverywhere, "all", "new accounts on Pulse right now"));
  if (limited) return failureReply(limited, typed);
  const created = await createUser(username, password);
  if (!created.ok) return failureReply(created, typed);
  // First to the recovery codes, then on to where the person was going.
  const next = safeRedirect(redirectTo);
  return redirect(next === "/" ? "/welcome" : `/welcome?next=${encodeURIComponent(next)}`, { headers: await signInFrom(created.userId, context.auth.guest) });
}

export default function Signup() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const redirectTo = typedText(data?.values, "redirectTo") ?? params.get("redirectTo") ?? "";
  const errors: Record<string, string[] | undefined> = data?.errors ?? {};
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <Form method="post" noValidate className="stack">
        {errors._form ? <p className="form-error" role="alert">{errors._form.join(" ")}</p> : null}
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          minLength={3}
          maxLength={LIMITS.username.max}
          defaultValue={typedText(data?.values, "username") ?? ""}
          hint="3–32 characters: lowercase letters, digits, '_' and '-'."
          errors={errors.username}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={LIMITS.password}
          hint="At least 8 characters. A long passphrase is best."
          errors={errors.password}
        />
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <div className="hp" aria-hidden="true">
          <label>
            Leave this empty <input type="text" name="website" tabIndex={-1} autoComplete="off" defaultValue="" />
          </label>
        </div>
        <button type="submit" disabled={busy}>{busy ? "Creating…" : "Sign up"}</button>
      </Form>
      <p>
        Already have an account?{" "}
        <Link to={`/login${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ""}`}>Sign in</Link>
      </p>
    </section>
  );
}
