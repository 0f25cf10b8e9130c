import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { listTopicsForAdmin } from "~/models/topics.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  return { topics: await listTopicsForAdmin() };
}

export default function AdminTopics() {
  const { topics } = useLoaderData<typeof loader>();
  return (
    <section>
      <div className="section-head">
        <h1>Topics</h1>
        <Link to="/admin/topics/new" className="button small">New topic</Link>
      </div>
      <ul className="admin-list">
        {topics.map((t) => (
          <li key={t.id}>
            <Link to={`/admin/topics/${t.slug}`}>{t.title}</Link> <span className="muted">/t/{t.slug}</span>
            {t.locked ? <span className="badge">locked</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
