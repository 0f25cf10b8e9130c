import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getPollPage } from "~/models/pages.server";
import { plural } from "~/lib/format";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.poll.question} — Pulse` }] : [{ title: "Not found — Pulse" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const page = await getPollPage(params.topic ?? "", params.poll ?? "");
  if (!page) throw new Response("Poll not found", { status: 404 });
  return page;
}

export default function PollPage() {
  const { topic, poll } = useLoaderData<typeof loader>();
  return (
    <article>
      <p className="crumbs">
        <Link to={`/t/${topic.slug}`}>{topic.title}</Link>
      </p>
      <h1>{poll.question}</h1>
      {poll.descriptionHtml ? <div className="prose" dangerouslySetInnerHTML={{ __html: poll.descriptionHtml }} /> : null}
      <ul className="options">
        {poll.options.map((o) => (
          <li key={o.id}>{o.label}</li>
        ))}
      </ul>
      <p className="muted">{plural(poll.voterCount, "voter")}</p>
    </article>
  );
}
