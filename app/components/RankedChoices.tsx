import { useEffect, useRef, useState } from "react";
import type { PollView } from "~/models/pages.server";
import { ShareBar } from "./ShareBar";
import { useHydrated } from "./useHydrated";

type Option = PollView["options"][number];

/**
 * A ranked ballot (issue 28). Without JavaScript: a select of places per
 * option, posted as `rank=optionId:place`. With it: the ranking as a list,
 * reordered by buttons (each a keyboard stop of its own), posted as the same
 * fields in list order. `places`: each ranked option's place (the stored
 * ballot's, or what a refused post chose, as it was chosen).
 */
export function RankedChoices({ poll, places, counts, percents, voters }: { poll: PollView; places: Map<number, number>; counts: Map<number, number | null>; percents: Map<number, number>; voters: number }) {
  const hydrated = useHydrated();
  const bar = (o: Option) => (poll.results.visible ? <ShareBar count={counts.get(o.id) ?? 0} total={voters} percent={percents.get(o.id) ?? 0} /> : null);
  if (!hydrated) {
    const choices = Array.from({ length: poll.maxChoices }, (_, i) => i + 1);
    return (
      <ul className="choices ranked">
        {poll.options.map((o) => {
          const place = places.get(o.id);
          return (
            <li key={o.id}>
              <label>
                <select name="rank" defaultValue={place ? `${o.id}:${place}` : ""} aria-label={`Place of ${o.label}`}>
                  <option value="">–</option>
                  {choices.map((p) => (
                    <option key={p} value={`${o.id}:${p}`}>
                      {p}
                    </option>
                  ))}
                </select>
                <span className="choice-label">{o.label}</span>
              </label>
              {bar(o)}
            </li>
          );
        })}
      </ul>
    );
  }
  return <RankList poll={poll} initial={rankOrder(places)} bar={bar} />;
}

function RankList({ poll, initial, bar }: { poll: PollView; initial: number[]; bar: (o: Option) => React.ReactNode }) {
  const byId = new Map(poll.options.map((o) => [o.id, o]));
  const [order, setOrder] = useState(() => initial.filter((id) => byId.has(id)));
  const [said, setSaid] = useState("");
  const full = order.length >= poll.maxChoices;
  // After a move, focus follows the option: to the same button in its new row if it can be pressed again, else the row.
  const focusNext = useRef<{ id: number; button: string } | null>(null);
  useEffect(() => {
    const want = focusNext.current;
    if (!want) return;
    focusNext.current = null;
    const row = document.getElementById(`rank-${poll.slug}-${want.id}`);
    const button = row?.querySelector<HTMLButtonElement>(`button[data-move="${want.button}"]:not(:disabled)`);
    (button ?? row)?.focus();
  }, [order, poll.slug]);
  const move = (id: number, to: number | null, label: string, button: string) => {
    const rest = order.filter((x) => x !== id);
    const next = to === null ? rest : [...rest.slice(0, to), id, ...rest.slice(to)];
    focusNext.current = { id, button };
    setOrder(next);
    const at = next.indexOf(id);
    setSaid(at === -1 ? `${label}: not ranked.` : `${label}: place ${at + 1} of ${next.length}.`);
  };
  const unranked = poll.options.filter((o) => !order.includes(o.id));
  return (
    <div className="ranking">
      {order.map((id, i) => (
        <input key={id} type="hidden" name="rank" value={`${id}:${i + 1}`} />
      ))}
      <ol className="choices ranked" aria-label="Your ranking, first preference first">
        {order.map((id, i) => {
          const o = byId.get(id)!;
          return (
            <li key={id} id={`rank-${poll.slug}-${id}`} tabIndex={-1}>
              <span className="choice-label">
                <span className="place" aria-hidden="true">
                  {i + 1}
                </span>
                {o.label}
              </span>
              <span className="rank-moves">
                <button type="button" className="small secondary" data-move="up" disabled={i === 0} onClick={() => move(id, i - 1, o.label, "up")} aria-label={`Move ${o.label} up`}>
                  ↑
                </button>
                <button type="button" className="small secondary" data-move="down" disabled={i === order.length - 1} onClick={() => move(id, i + 1, o.label, "down")} aria-label={`Move ${o.label} down`}>
                  ↓
                </button>
                <button type="button" className="small secondary" onClick={() => move(id, null, o.label, "add")} aria-label={`Take ${o.label} out of your ranking`}>
                  ✕
                </button>
              </span>
              {bar(o)}
            </li>
          );
        })}
      </ol>
      {unranked.length ? (
        <ul className="choices unranked" aria-label="Not ranked">
          {unranked.map((o) => (
            <li key={o.id} id={`rank-${poll.slug}-${o.id}`} tabIndex={-1}>
              <span className="choice-label">{o.label}</span>
              <button type="button" className="small secondary" data-move="add" disabled={full} onClick={() => move(o.id, order.length, o.label, "up")} aria-label={`Rank next: ${o.label}`}>
                Rank next
              </button>
              {bar(o)}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="sr-only" role="status">
        {said}
      </p>
    </div>
  );
}

/** The places of a ranked answer, from a form's `rank` fields ("optionId:place"), as chosen. */
export function placesFrom(values: unknown[]): Map<number, number> {
  const pairs = values.map((v) => String(v).split(":").map(Number));
  return new Map(pairs.filter(([id, place]) => id > 0 && place > 0).map(([id, place]) => [id, place]));
}

/** A ranking's option ids in rank order. */
export const rankOrder = (places: Map<number, number>) => [...places].sort((a, b) => a[1] - b[1]).map(([id]) => id);
