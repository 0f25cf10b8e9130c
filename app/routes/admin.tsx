import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";

export const meta: MetaFunction = () => [{ title: "Admin — Pulse" }];

// Every admin route checks its own permission too: a parent loader does not guard its children.
export async function loader(args: LoaderFunctionArgs) {
  const user = requireRole(args, "moderator");
  return { role: user.role };
}

export default function AdminLayout() {
  const { role } = useLoaderData<typeof loader>();
  return (
    <div className="admin">
      <nav aria-label="Administration" className="admin-nav">
        {role === "admin" ? <NavLink to="/admin/topics">Topics &amp; polls</NavLink> : null}
        <NavLink to="/admin/reports">Reports &amp; review</NavLink>
        <NavLink to="/admin/statements">Statements</NavLink>
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/log">Moderation log</NavLink>
        {role === "admin" ? <NavLink to="/admin/rules">Rules</NavLink> : null}
      </nav>
      <Outlet />
    </div>
  );
}
