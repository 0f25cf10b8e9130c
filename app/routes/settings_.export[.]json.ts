import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { exportUserData } from "~/models/account.server";
import { invariantResponse } from "~/lib/http.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireUser(args);
  const data = await exportUserData(user.id);
  invariantResponse(data, "Not found");
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="pulse-${user.username}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
