import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { Field } from "~/components/Field";
import { PollForm, withExtraOption } from "~/components/admin/PollForm";
import { FormErrors, Select } from "~/components/admin/fields";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { formatDateTime, plural } from "~/lib/format";
import { closePoll, getPollForEdit, resolvePoll, unresolvePoll, updatePoll } from "~/models/polls.server";
import { pollFormSchema, pollStateSchema } from "~/forms/admin.server";
import { failureReply, formDone, formReply, invariantResponse } from "~/lib/http.server";

async function pollOr404(id: string | undefined) {
  const data = /^\d{1,9}$/.test(id ?? "") ? await getPollForEdit(Number(id)) : null;
  invariantResponse(data, "Poll not found");
  return data;
}

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  return pollOr404(args.params.id);
}

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const { poll } = await pollOr404(args.params.id);
  const raw = formToObject(await readForm(args.request));
  if (raw.intent === "add-option") return formDone({}, { form: "poll", values: withExtraOption(raw) });
  if (raw.intent === "save") {
    const parsed = parseForm(pollFormSchema, raw);
    if (!parsed.ok) return formReply(parsed.errors, raw, { form: "poll" });
    const res = await updatePoll(admin.id, poll.id, parsed.data);
    if (!res.ok) return failureReply(res, raw, "poll");
    return redirect(`/admin/polls/${poll.id}?saved=1`);
  }
  const parsed = parseForm(pollStateSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, raw, { form: "state" });
  const d = parsed.data;
  const res =
    d.intent === "resolve"
      ? await resolvePoll(admin.id, poll.id, { optionId: d.optionId, note: d.note, sourceUrl: d.sourceUrl })
      : d.intent === "unresolve"
        ? await unresolvePoll(admin.id, poll.id)
        : await closePoll(admin.id, poll.id, d.intent === "close");
  if (!res.ok) return failureReply(res, raw, "state");
  return redirect(`/admin/polls/${poll.id}`);
}

export default function EditPoll() {
  const { poll, options, topic, hasBallots, closed } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  const saved = params.get("created") ? "created" : params.get("saved") ? "saved" : null;
  const stateErrors = data?.form === "state" ? data.errors : undefined;
  return (
    <section>
      <p className="crumbs">
        <Link to={`/admin/topics/${topic.slug}`}>← {topic.title}</Link> · <Link to={`/t/${topic.slug}/p/${poll.slug}`}>View poll</Link>
      </p>
      <h1>{poll.question}</h1>
      <p className="muted">
        {plural(poll.voterCount, "voter")} · {closed ? `closed ${formatDateTime(poll.closesAt!)}` : poll.closesAt ? `closes ${formatDateTime(poll.closesAt)}` : "open"}
      </p>
      {/* Errors of the resolution's own fields show at those fields, once. */}
      <FormErrors errors={stateErrors} fields={["optionId", "note", "sourceUrl"]} />
      {saved === "created" ? <p className="notice" role="status">Poll created. It is live at <Link to={`/t/${topic.slug}/p/${poll.slug}`}>/t/{topic.slug}/p/{poll.slug}</Link>.</p> : null}
      {saved === "saved" ? <p className="notice" role="status">Saved.</p> : null}
      <Form method="post" className="inline-actions">
        <button type="submit" name="intent" value={closed ? "reopen" : "close"} className="small secondary">
          {closed ? "Reopen the poll" : "Close now"}
        </button>
      </Form>
      {poll.isPrediction ? (
        <section className="card">
          <h2>Resolution</h2>
          {poll.resolvedAt ? (
            <Form method="post">
              <p>
                Resolved {formatDateTime(poll.resolvedAt)}: <strong>{options.find((o) => o.id === poll.resolvedOptionId)?.label}</strong>. {poll.resolutionNote}
              </p>
              <button type="submit" name="intent" value="unresolve" className="small secondary">Undo resolution</button>
            </Form>
          ) : (
            <Form method="post" className="stack" noValidate>
              <p className="muted">Criteria: {poll.resolutionCriteria}</p>
              <Select label="Outcome" name="optionId" errors={stateErrors} defaultValue="">
                <option value="" disabled>Pick the outcome</option>
                {options.map((o) => (
                  <option key={o.id} value={o.id}>{o.label}</option>
                ))}
              </Select>
              <Field label="Note" name="note" errors={stateErrors?.note} hint="Why, in a sentence or two." />
              <Field label="Source link" name="sourceUrl" type="url" errors={stateErrors?.sourceUrl} />
              <div className="actions">
                <button type="submit" name="intent" value="resolve">Resolve</button>
              </div>
            </Form>
          )}
        </section>
      ) : null}
      <h2>Edit</h2>
      <PollForm
        data={data?.form === "poll" ? data : null}
        editing
        locked={hasBallots}
        d={{
          slug: poll.slug,
          question: poll.question,
          descriptionMd: poll.descriptionMd,
          kind: poll.kind,
          options: poll.kind === "scale" ? [] : options.map((o) => ({ id: o.id, label: o.label, exclusive: o.exclusive })),
          minChoices: poll.minChoices,
          maxChoices: poll.maxChoices,
          scaleMinLabel: poll.scaleMinLabel ?? "",
          scaleMaxLabel: poll.scaleMaxLabel ?? "",
          visibility: poll.visibility,
          closesAt: poll.closesAt,
          shuffle: poll.shuffle,
          isPrediction: poll.isPrediction,
          resolutionCriteria: poll.resolutionCriteria ?? "",
          allowGuests: poll.allowGuests,
        }}
      />
    </section>
  );
}
