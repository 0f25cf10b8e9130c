import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "~/lib/format";
import { getSiteText } from "~/models/site-texts.server";

export const meta: MetaFunction = () => [{ title: "Rules — Pulse" }, { name: "description", content: "The rules of discussion on Pulse, and how moderators apply them." }];

export async function loader() {
  return getSiteText("rules");
}

export default function Rules() {
  const rules = useLoaderData<typeof loader>();
  return (
    <article className="prose narrow-prose">
      <h1>Rules</h1>
      <div dangerouslySetInnerHTML={{ __html: rules.bodyHtml }} />
      <p className="muted">
        {rules.updatedAt ? `Last changed ${formatDate(rules.updatedAt)}. ` : null}
        <Link to="/moderation">How moderation went, month by month</Link>.
      </p>
    </article>
  );
}
