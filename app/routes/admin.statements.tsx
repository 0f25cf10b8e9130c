import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { DoneNotice } from "~/components/admin/DoneNotice";
import { statementModerationSchema } from "~/forms/discussion.server";
import { parseForm, readForm } from "~/lib/form.server";
import { formatDateTime, LIMITS } from "~/lib/format";
import { failureReply, formReply, invariantResponse } from "~/lib/http.server";
import { addSeedStatement, moderateStatement, setStatementMode, STATEMENT_MAX, statementQueue } from "~/models/statements.server";

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "moderator");
  return { ...(await statementQueue()), max: STATEMENT_MAX };
}

/** Moderators accept or hide statements; admins also set a topic's mode and add seed statements. */
export async function action(args: ActionFunctionArgs) {
  const me = requireRole(args, "moderator");
  const form = await readForm(args.request);
  const parsed = parseForm(statementModerationSchema, form);
  if (!parsed.ok) return formReply(parsed.errors, parsed.values);
  const d = parsed.data;
  invariantResponse(me.role === "admin" || d.intent === "accept" || d.intent === "hide", "Only admins set a topic's statements or add seed statements.", 403);
  const res =
    d.intent === "mode"
      ? await setStatementMode(me.id, d.topic, d.mode)
      : d.intent === "seed"
        ? await addSeedStatement(me.id, d.topic, d.body)
        : await moderateStatement(me.id, d.statement, d.intent, d.reason);
  if (!res.ok) return failureReply(res, { body: d.intent === "seed" ? d.body : "" });
  return redirect(`/admin/statements?done=${d.intent}`);
}

const DONE: Record<string, string> = { accept: "Statement accepted: it shows now.", hide: "Statement hidden: it left the counts and the map.", seed: "Seed statement added.", mode: "Mode saved." };

export default function AdminStatements() {
  const { pending, shown, hidden, topics, max } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const done = DONE[useSearchParams()[0].get("done") ?? ""];
  const row = (s: (typeof pending)[number], actions: ("accept" | "hide")[]) => (
    <li key={s.id} className="card" data-testid={`statement-${s.status}`}>
      <p className="statement-body">{s.body}</p>
      <p className="muted small">
        {s.seed ? "seed statement" : `by ${s.author ?? "a deleted account"}`} · {formatDateTime(s.createdAt)} · <Link to={`/t/${s.topicSlug}/statements`}>{s.topicTitle}</Link>
      </p>
      <Form method="post" className="inline-actions">
        <input type="hidden" name="statement" value={s.id} />
        <label>
          Note <input name="reason" maxLength={LIMITS.reason} />
        </label>{" "}
        {actions.map((a) => (
          <button key={a} type="submit" name="intent" value={a} className={a === "accept" ? "small" : "small secondary"}>
            {a === "accept" ? "Accept" : "Hide"}
          </button>
        ))}
      </Form>
    </li>
  );
  return (
    <section>
      <h1>Statements</h1>
      <DoneNotice done={done} />
      {data?.ok === false ? <p className="form-error" role="alert">{Object.values(data.errors).flat().join(" ")}</p> : null}
      <h2>Waiting ({pending.length})</h2>
      {pending.length === 0 ? <p className="muted">Nothing waiting.</p> : <ol className="report-list">{pending.map((s) => row(s, ["accept", "hide"]))}</ol>}
      <h2>Shown ({shown.length})</h2>
      <ol className="report-list">{shown.map((s) => row(s, ["hide"]))}</ol>
      {hidden.length ? (
        <>
          <h2>Hidden ({hidden.length})</h2>
          <ol className="report-list">{hidden.map((s) => row(s, ["accept"]))}</ol>
        </>
      ) : null}
      <h2>Topics</h2>
      <p className="muted">Strict: a statement shows once a moderator accepts it. Lazy: it shows at once, and moderators hide what breaks the rules. Off: no statements.</p>
      {topics.map((t) => (
        <section key={t.id} className="card">
          <h3>{t.title}</h3>
          <Form method="post" className="inline-actions">
            <input type="hidden" name="topic" value={t.id} />
            <label>
              Statements{" "}
              <select name="mode" defaultValue={t.mode}>
                <option value="off">off</option>
                <option value="strict">strict</option>
                <option value="lazy">lazy</option>
              </select>
            </label>{" "}
            <button type="submit" name="intent" value="mode" className="small secondary">
              Save
            </button>
          </Form>
          <Form method="post" className="inline-actions">
            <input type="hidden" name="topic" value={t.id} />
            <label>
              Seed statement <input name="body" maxLength={max} />
            </label>{" "}
            <button type="submit" name="intent" value="seed" className="small secondary">
              Add
            </button>
          </Form>
        </section>
      ))}
    </section>
  );
}
