import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { refund, take } from "~/auth/rate-limits.server";
import { startSession } from "~/auth/session.server";
import { Field } from "~/components/Field";
import { parseForm, readForm } from "~/lib/form.server";
import { keepRetryAfter } from "~/lib/headers";
import { failureReply, failureResponse, formReply } from "~/lib/http.server";
import { resetLinkOwner, resetWithLink } from "~/models/recovery.server";
import { resetSchema } from "~/forms/account.server";

export const meta: MetaFunction = () => [{ title: "Set a new password — Pulse" }, { name: "robots", content: "noindex" }];

export const headers = keepRetryAfter;

// A one-time link an admin issued (valid 24 hours). Guessing links costs
// points from the same per-address budget as recovery codes.
export async function loader({ params, context }: LoaderFunctionArgs) {
  const { limits, clientIp } = context;
  const owner = await resetLinkOwner(params.token ?? "");
  if (!owner) {
    const limited = await take(limits, limits.recoveryPerAddress, clientIp, "recovery attempts from your network address");
    if (limited) failureResponse(limited);
    return json({ username: null }, { status: 404 });
  }
  return json({ username: owner.username as string | null });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const parsed = parseForm(resetSchema, await readForm(request));
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const { limits, clientIp } = context;
  const limited = await take(limits, limits.recoveryPerAddress, clientIp, "recovery attempts from your network address");
  if (limited) return failureReply(limited);
  const res = await resetWithLink(params.token ?? "", parsed.data.password);
  if (!res.ok) return failureReply(res);
  await refund(limits, limits.recoveryPerAddress, clientIp);
  return redirect("/settings?reset=1#recovery", { headers: { "Set-Cookie": await startSession(res.userId) } });
}

export default function Reset() {
  const { username } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string[] | undefined> = data?.errors ?? {};
  if (!username) {
    return (
      <section className="narrow">
        <h1>This link does not work</h1>
        <p>This reset link is not valid: it was used, it expired, or it was never issued. Ask an admin for a new one, or use one of your recovery codes.</p>
        <p>
          <Link to="/recover">Use a recovery code</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>Set a new password</h1>
      <p>
        For <strong>{username}</strong>. This link works once. Setting a password signs the account out everywhere else.
      </p>
      <Form method="post" noValidate className="stack">
        {errors._form ? <p className="form-error" role="alert">{errors._form.join(" ")}</p> : null}
        <input type="text" value={username} autoComplete="username" readOnly hidden />
        <Field label="New password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters, and not a common password." errors={errors.password} />
        <button type="submit" disabled={busy}>{busy ? "Saving…" : "Set the new password"}</button>
      </Form>
    </section>
  );
}
