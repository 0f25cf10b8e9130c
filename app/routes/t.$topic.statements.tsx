import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { StatementsPage } from "~/components/Statements";
import { statementActionSchema } from "~/forms/discussion.server";
import { parseForm, readForm } from "~/lib/form.server";
import { keepRetryAfter } from "~/lib/headers";
import { failureReply, formDone, formReply, invariantResponse } from "~/lib/http.server";
import { getStatementsPage, rateStatement, STATEMENT_MAX, writeStatement } from "~/models/statements.server";
import { getTopicBySlug } from "~/models/topics.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Statements: ${data.topic.title} — Pulse` : "Not found — Pulse" },
  { name: "description", content: "People's own statements on the topic, rated agree, disagree or pass, and where each group stands." },
];

// A refused write's Retry-After (a new account's statements a day) reaches the browser.
export const headers = keepRetryAfter;

export async function loader({ params, context }: LoaderFunctionArgs) {
  const page = await getStatementsPage(params.topic ?? "", context.auth.user);
  invariantResponse(page, "Topic not found");
  return { ...page, max: STATEMENT_MAX, signedIn: !!context.auth.user };
}

const VOTES = { agree: 1, disagree: -1, pass: 0 } as const;

/** Write a statement, or rate one: plain posts that land back here, or a fetcher (the next statement comes without a reload). */
export async function action(args: ActionFunctionArgs) {
  const user = requireUser(args);
  const topic = await getTopicBySlug(args.params.topic ?? "");
  invariantResponse(topic, "Topic not found");
  const form = await readForm(args.request);
  const values = { body: String(form.get("body") ?? "").slice(0, 1000) };
  const parsed = parseForm(statementActionSchema, form);
  if (!parsed.ok) return formReply(parsed.errors, values);
  const d = parsed.data;
  const here = `/t/${topic.slug}/statements`;
  if (d.intent === "rate") {
    const res = await rateStatement(user.id, d.statement, VOTES[d.vote]);
    if (!res.ok) return failureReply(res);
    return d.via ? formDone({ rated: d.statement }) : redirect(`${here}?rated=${d.statement}#next`);
  }
  const res = await writeStatement(user, topic.id, d.body);
  if (!res.ok) return failureReply(res, values);
  return d.via ? formDone({ written: res.id, pending: res.pending }) : redirect(`${here}?${res.pending ? "waiting" : "written"}=${res.id}#write`);
}

export default function Statements() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return <StatementsPage data={data} result={result ?? null} />;
}
