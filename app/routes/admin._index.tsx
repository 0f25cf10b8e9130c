import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireRole(args, "moderator");
  throw redirect(user.role === "admin" ? "/admin/topics" : "/admin/reports");
}
