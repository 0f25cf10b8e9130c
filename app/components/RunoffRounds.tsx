import type { RunoffResult } from "~/models/results.server";
import { plural } from "~/lib/format";

const listed = (labels: string[]) => (labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`);

/**
 * A ranked poll's instant runoff (issue 28): the outcome, then each round as
 * a small table (fits a phone) and a sentence saying who went out and where
 * their ballots went.
 */
export function RunoffRounds({ runoff, id }: { runoff: RunoffResult; id: string }) {
  const label = new Map(runoff.rounds[0].counts.map((c) => [c.optionId, c.label]));
  const name = (optionId: number) => label.get(optionId) ?? "?";
  const last = runoff.rounds[runoff.rounds.length - 1];
  return (
    <section className="runoff" aria-labelledby={`${id}-runoff`}>
      <h3 id={`${id}-runoff`}>The count, round by round</h3>
      <p className="runoff-outcome" data-testid={`runoff-${id}`}>
        {runoff.winner !== null ? (
          <>
            <strong>{name(runoff.winner)}</strong> wins in round {last.round}, with {last.counts.find((c) => c.optionId === runoff.winner)?.votes} of the {plural(last.counted, "ballot")} still counting.
          </>
        ) : (
          <>
            <strong>A tie</strong> between {listed((runoff.tied ?? []).map(name))} after {plural(last.round, "round")}.
          </>
        )}{" "}
        <span className="muted">Each round counts every ballot&apos;s first choice among the options left; over half wins, else the fewest go out and their ballots pass to each one&apos;s next choice.</span>
      </p>
      {runoff.firstByGroup.length ? <GroupFirsts runoff={runoff} name={name} /> : null}
      <ol className="rounds">
        {runoff.rounds.map((r) => (
          <li key={r.round}>
            <table className="numbers runoff-round">
              <caption>
                Round {r.round}: {plural(r.counted, "ballot")} counting{r.exhausted ? `, ${r.exhausted} with no choice left` : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Option</th>
                  <th scope="col">Votes</th>
                  <th scope="col">Share</th>
                </tr>
              </thead>
              <tbody>
                {r.counts.map((c) => (
                  <tr key={c.optionId} className={r.majority === c.optionId ? "wins" : r.eliminated.includes(c.optionId) ? "out" : undefined}>
                    <th scope="row">
                      {c.label}
                      {r.majority === c.optionId ? <span className="badge">wins</span> : r.eliminated.includes(c.optionId) ? <span className="badge">out</span> : null}
                    </th>
                    <td>{c.votes}</td>
                    <td>{r.counted ? Math.round((c.votes / r.counted) * 100) : 0}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.eliminated.length ? <Transfers round={r} name={name} /> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Transfers({ round, name }: { round: RunoffResult["rounds"][number]; name: (id: number) => string }) {
  const passed = round.transfers.filter((t) => t.to !== null);
  const passedOn = passed.reduce((n, t) => n + t.votes, 0);
  const exhausted = round.transfers.find((t) => t.to === null)?.votes ?? 0;
  const parts = [
    passedOn ? `${plural(passedOn, "ballot")} passed on (${passed.map((t) => `${t.votes} to ${name(t.to!)}`).join(", ")})` : "",
    exhausted ? `${plural(exhausted, "ballot")} had no choice left` : "",
  ].filter(Boolean);
  return (
    <p className="transfers">
      {listed(round.eliminated.map(name))} {round.eliminated.length > 1 ? "go" : "goes"} out
      {parts.length ? `: ${parts.join("; ")}.` : ", with no first choices to pass on."}
    </p>
  );
}

/** First choices within each group of the opinion map (groups with ten ballots or more), most chosen first. */
function GroupFirsts({ runoff, name }: { runoff: RunoffResult; name: (id: number) => string }) {
  return (
    <>
      <h4>First choices by opinion group</h4>
      <ul className="group-firsts" data-testid="group-firsts">
        {runoff.firstByGroup.map((g) => (
          <li key={g.group}>
            <strong>{g.group}</strong> ({plural(g.ballots, "ballot")}):{" "}
            {[...g.counts]
              .filter((c) => c.votes > 0)
              .sort((a, b) => b.votes - a.votes)
              .map((c) => `${name(c.optionId)} ${c.votes}`)
              .join("; ")}
          </li>
        ))}
      </ul>
      <p className="muted small">Groups come from the topic&apos;s opinion map; a group shows here once ten of its people have ranked.</p>
    </>
  );
}
