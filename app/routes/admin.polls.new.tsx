import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { PollForm, withExtraOption } from "~/components/admin/PollForm";
import { formToObject, parseForm, readForm } from "~/lib/form.server";
import { createPoll } from "~/models/polls.server";
import { getTopicForEdit } from "~/models/topics.server";
import { pollFormSchema } from "~/forms/admin.server";
import { failureReply, formDone, formReply, invariantResponse } from "~/lib/http.server";

async function topicOr404(request: Request) {
  const topic = await getTopicForEdit(new URL(request.url).searchParams.get("topic") ?? "");
  invariantResponse(topic, "Topic not found");
  return topic;
}

export async function loader(args: LoaderFunctionArgs) {
  requireRole(args, "admin");
  const topic = await topicOr404(args.request);
  return { topic: { slug: topic.slug, title: topic.title } };
}

export async function action(args: ActionFunctionArgs) {
  const admin = requireRole(args, "admin");
  const topic = await topicOr404(args.request);
  const raw = formToObject(await readForm(args.request));
  if (raw.intent === "add-option") return formDone({}, { values: withExtraOption(raw) });
  const parsed = parseForm(pollFormSchema, raw);
  if (!parsed.ok) return formReply(parsed.errors, raw);
  const res = await createPoll(topic.id, parsed.data, { actorId: admin.id });
  if (!res.ok) return failureReply(res, raw);
  return redirect(`/admin/polls/${res.id}?created=1`);
}

export default function NewPoll() {
  const { topic } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  return (
    <section>
      <p className="crumbs">
        <Link to={`/admin/topics/${topic.slug}`}>← {topic.title}</Link>
      </p>
      <h1>New poll</h1>
      <PollForm
        data={data}
        editing={false}
        locked={false}
        d={{ slug: "", question: "", descriptionMd: "", kind: "single", options: [], minChoices: 1, maxChoices: 3, scaleMinLabel: "", scaleMaxLabel: "", visibility: "always", closesAt: null, shuffle: false, isPrediction: false, resolutionCriteria: "", allowGuests: false }}
      />
    </section>
  );
}
