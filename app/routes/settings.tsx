import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";

export const meta: MetaFunction = () => [{ title: "Settings — Pulse" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  return { username: user.username, role: user.role };
}

export default function Settings() {
  const { username, role } = useLoaderData<typeof loader>();
  return (
    <section className="narrow">
      <h1>Settings</h1>
      <dl className="facts">
        <dt>Username</dt>
        <dd>{username}</dd>
        <dt>Role</dt>
        <dd>{role}</dd>
      </dl>
    </section>
  );
}
