import type { LoaderFunctionArgs, MetaFunction, SerializeFrom } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ConsensusStatements, GroupStatements } from "~/components/MapStatements";
import { OpinionScatter } from "~/components/OpinionScatter";
import { formatDateTime, plural } from "~/lib/format";
import { getOpinionMap, type Share } from "~/models/opinion-map.server";
import { invariantResponse } from "~/lib/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Opinion map: ${data.topic.title} — Pulse` : "Not found — Pulse" },
  { name: "description", content: "Which groups the community falls into across the questions, and where they agree." },
];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const res = await getOpinionMap(params.topic ?? "", context.auth.user?.id ?? null);
  invariantResponse(res, "Topic not found");
  return res;
}

const pct = (s: Share) => `${Math.round(s.share * 100)}%`;
const interval = (s: Share) => `${Math.round(s.low * 100)}–${Math.round(s.high * 100)}%`;

type Group = NonNullable<SerializeFrom<typeof loader>["map"]>["groups"][number];

/** One group: its size and the answers that set it apart, with intervals. */
function GroupCard({ group: g, index, base, children }: { group: Group; index: number; base: string; children?: import("react").ReactNode }) {
  return (
    <section className="card" aria-labelledby={`group-${g.id}`}>
      <h3 id={`group-${g.id}`}>
        <span className={`swatch g${index}`} aria-hidden="true" /> {g.name}: {plural(g.size, "person", "people")}
      </h3>
      {g.distinct.length === 0 ? (
        <p>No answer sets this group apart from everyone else.</p>
      ) : (
        <div className="table-scroll" role="region" aria-label={`What sets ${g.name} apart`} tabIndex={0}>
          {/* On a phone each row stacks into a card (issue 23: the answer column was 100 px wide and "Difference" cut off). */}
          <table className="plain stacked">
            <caption className="sr-only">What sets {g.name} apart, with 95% intervals</caption>
            <thead>
              <tr>
                <th scope="col">Answer</th>
                <th scope="col">{g.name}</th>
                <th scope="col">Everyone else</th>
                <th scope="col">Difference</th>
              </tr>
            </thead>
            <tbody>
              {g.distinct.map((d) => (
                <tr key={`${d.pollSlug}-${d.answer}`}>
                  <th scope="row">
                    <Link to={`${base}/p/${d.pollSlug}`}>{d.question}</Link>: {d.answer}
                  </th>
                  <td data-label={g.name}>
                    {pct(d.group)} <span className="muted">({interval(d.group)})</span>
                  </td>
                  <td data-label="Everyone else">
                    {pct(d.rest)} <span className="muted">({interval(d.rest)})</span>
                  </td>
                  <td data-label="Difference">{`${d.difference > 0 ? "+" : "−"}${Math.round(Math.abs(d.difference) * 100)} points`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {children}
    </section>
  );
}

/** How the map is made, in plain words. */
function HowItIsMade({ base }: { base: string }) {
  return (
    <>
        <h2>How the map is made</h2>
        <p>
          Each person who answered at least two public questions becomes a list of numbers: 1 or 0 for each option of a choice question, and the scale answer centred on its
          middle. A question someone skipped counts as the average answer of those who did not. These lists are squeezed onto two axes with principal component analysis,
          which keeps the directions along which answers differ most, and the people are grouped with k-means, trying two to five groups and keeping the number whose groups
          are most clearly apart (silhouette). If no grouping is clearly apart, everyone is one group.
        </p>
        <p>
          Groups of fewer than ten people are not shown on their own. Points are moved a little at random and snapped to a grid each time the map is drawn, and no point
          carries a name. Questions whose results are hidden are left out. The map is drawn again in the background when answers change by 5%, or hourly.
        </p>
        <p>
          <strong>Caveat:</strong> these are the people who chose to come and answer, not a sample of anyone else. Groups describe this community, not the world. The data is
          also at <a href={`${base}/map.json`}>map.json</a>.
        </p>
    </>
  );
}

export default function OpinionMap() {
  const { topic, map, you } = useLoaderData<typeof loader>();
  const base = `/t/${topic.slug}`;
  return (
    <article className="opinion-map">
      <p>
        <Link to={`${base}/results`}>← Results: {topic.title}</Link>
      </p>
      <h1>Opinion map</h1>
      <p className="lead">
        People who answered at least two questions, grouped by how alike their answers are. Each group shows the answers that set it apart; the last part shows what every
        group shares.
      </p>
      {!map || map.people === 0 ? (
        <p role="status">No map yet: too few people have answered two or more of the public questions. It is drawn again as answers come in.</p>
      ) : (
        <>
          <p className="muted">
            {plural(map.people, "person", "people")} over {plural(map.polls.length, "question")}, drawn {formatDateTime(Date.parse(map.computedAt))} from {plural(map.ballots, "answer")}.{" "}
            {map.groups.length <= 1 ? "They form one group: no split runs through their answers." : `They fall into ${map.groups.length} groups.`}
            {map.others ? ` ${plural(map.others, "person", "people")} in groups under ${map.method.minGroup} are shown together as “others”.` : ""}
            {map.hidden ? ` ${plural(map.hidden, "person", "people")} in groups under ${map.method.minGroup} are left out.` : ""}
          </p>
          {you ? (
            <p className="notice" role="status">
              You are {you.group === -1 ? "among the others" : `in group ${String.fromCharCode(65 + you.group)}`}, marked with a ring on the map. Only you see this.
            </p>
          ) : null}
          <OpinionScatter cells={map.cells} groups={map.groups.map((g) => g.name)} you={you} />
          <h2>The groups</h2>
          {map.groups.map((g, i) => (
            <GroupCard key={g.id} group={g} index={i} base={base}>
              {map.statements ? <GroupStatements list={map.statements.representative[i] ?? []} name={g.name} /> : null}
            </GroupCard>
          ))}
          <h2>What every group shares</h2>
          {map.consensus.length === 0 ? (
            <p>No answer is picked by at least 60% of every group.</p>
          ) : (
            <ul>
              {map.consensus.map((c) => (
                <li key={`${c.pollSlug}-${c.answer}`}>
                  <Link to={`${base}/p/${c.pollSlug}`}>{c.question}</Link>: <strong>{c.answer}</strong> — {c.shares.map(pct).join(", ")}
                  {map.groups.length > 1 ? " by group" : ""}
                </li>
              ))}
            </ul>
          )}
          {map.statements ? <ConsensusStatements figures={map.statements} base={base} /> : null}
        </>
      )}
      <HowItIsMade base={base} />
    </article>
  );
}
