import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { RecoveryCodes } from "~/components/RecoveryCodes";
import { safeRedirect } from "~/lib/form.server";
import { firstRecoveryCodes } from "~/models/recovery.server";

// Recovery codes are on this page: no cache, not even the browser's, may keep it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export const meta: MetaFunction = () => [{ title: "Welcome — Pulse" }, { name: "robots", content: "noindex" }];

// Where sign-up lands: the account's first recovery codes, shown this once.
export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const next = safeRedirect(new URL(args.request.url).searchParams.get("next"));
  // Only an account made moments ago that never had codes gets them here; a reload shows none.
  const codes = await firstRecoveryCodes(user.id);
  return { username: user.username, codes, next };
}

export default function Welcome() {
  const { username, codes, next } = useLoaderData<typeof loader>();
  return (
    <section className="narrow">
      <h1>Welcome, {username}</h1>
      {codes ? (
        <RecoveryCodes codes={codes} />
      ) : (
        <p>
          Recovery codes are shown once, when you sign up. To make a new set, enter your password in <Link to="/settings#recovery">Settings</Link>.
        </p>
      )}
      <p>
        <Link to={next} className="button">
          Continue
        </Link>
      </p>
    </section>
  );
}
