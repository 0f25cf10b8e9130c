import { NoteText } from "~/lib/note-links";
import { Link, useFetcher, useLocation } from "@remix-run/react";
import type { Values } from "~/lib/form-reply";
import { useEffect, useRef, type ChangeEvent, type ReactNode } from "react";
import type { PollView } from "~/models/pages.server";
import { formatDate, formatDateTime, plural, typedText } from "~/lib/format";
import { pollPercents } from "~/lib/stats";
import { placesFrom, RankedChoices, rankOrder } from "./RankedChoices";
import { ShareBar } from "./ShareBar";
import { useHere } from "./useHere";
import { useHydrated } from "./useHydrated";

type Props = {
  poll: PollView;
  topicSlug: string;
  signedIn: boolean;
  headingLevel?: 1 | 2 | 3;
  linkQuestion?: boolean;
  /** Errors from a plain form post that landed on this page. */
  actionErrors?: Record<string, string[]> | null;
  /** What that refused post chose (option ids, a scale value, or a ranking): the form shows it again, not the stored answer. */
  submitted?: Submitted | null;
  /** Fold the form of an answered question (the topic page). */
  compact?: boolean;
  /** A closed or resolved question on the topic page: settled history, shown without a form. */
  settled?: boolean;
  /** Where the answer is posted, when not the poll's page (an embed posts to itself, issue 27). */
  formAction?: string;
  /** In place of the way in for a signed-out reader (an embed sends members to Pulse in a new tab). */
  signInNote?: ReactNode;
};

type VoteData = { ok?: boolean; message?: string; errors?: Record<string, string[]> };
type Submitted = { option: number[]; value: number | null; rank: Map<number, number> };

const listOf = (v: Values[string]) => (Array.isArray(v) ? v : v ? [v] : []);

/** What a refused answer chose (option ids, a scale value, or a ranking), from the form's typed values. */
export function submittedChoice(values: Values): Submitted {
  const value = typedText(values, "value");
  return { option: listOf(values.option).map(Number), value: value ? Number(value) : null, rank: placesFrom(listOf(values.rank)) };
}

function choiceHint(poll: PollView): string {
  if (poll.kind === "single") return "Pick one.";
  if (poll.kind === "ranked") {
    const up = poll.maxChoices >= poll.options.length ? "as many as you like" : `up to ${poll.maxChoices}`;
    return `Rank ${up}, your first preference first. If your first is knocked out in the count, your vote passes to your next.`;
  }
  if (poll.kind === "scale") return "Pick one value from 1 to 5.";
  const alone = poll.options.filter((o) => o.exclusive).map((o) => `"${o.label}"`);
  const rule = poll.minChoices <= 1 ? (poll.maxChoices >= poll.options.length ? "Pick as many as apply" : `Pick up to ${poll.maxChoices}`) : `Pick ${poll.minChoices} to ${poll.maxChoices}`;
  return alone.length ? `${rule}, or ${alone.join(" or ")} on its own.` : `${rule}.`;
}

/** Ticking an exclusive option ("None of these") clears the others, and ticking another clears it; the server refuses the mix anyway. */
function keepExclusiveAlone(e: ChangeEvent<HTMLInputElement>) {
  const box = e.currentTarget;
  if (!box.checked || !box.form) return;
  for (const other of box.form.querySelectorAll<HTMLInputElement>('input[name="option"]')) {
    if (other !== box && (box.dataset.exclusive !== undefined || other.dataset.exclusive !== undefined)) other.checked = false;
  }
}

/** What the user's answer will be once the pending submission lands. */
function optimisticMine(poll: PollView, form: FormData | undefined): number[] | null | undefined {
  if (!form) return undefined;
  if (form.get("intent") === "withdraw") return null;
  if (poll.kind === "ranked") {
    const order = rankOrder(placesFrom(form.getAll("rank")));
    return order.length ? order : undefined;
  }
  if (poll.kind === "scale") {
    const v = Number(form.get("value"));
    const opt = poll.options.find((o) => o.value === v);
    return opt ? [opt.id] : undefined;
  }
  const ids = form.getAll("option").map(Number);
  return ids.length ? ids : undefined;
}

type Fetcher = ReturnType<typeof useFetcher<VoteData>>;

/**
 * The voting state of one card: the fetcher, the answer as it will be once a
 * pending vote lands (counts and shares moved optimistically), where focus
 * goes after a vote, and the error or notice to show.
 */
function useVote(poll: PollView, actionErrors: Props["actionErrors"]) {
  const fetcher = useFetcher<VoteData>({ key: `vote-${poll.id}` });
  const location = useLocation();
  const next = optimisticMine(poll, fetcher.formData);
  const mine = next === undefined ? poll.mine : next;

  // Optimistic counts: take the old answer out and put the new one in.
  let voters = poll.voterCount;
  const counts = new Map(poll.options.map((o) => [o.id, o.count]));
  // A ranked poll's counts are first preferences.
  const counted = (ids: number[] | null | undefined) => (poll.kind === "ranked" ? (ids ?? []).slice(0, 1) : (ids ?? []));
  if (next !== undefined && poll.results.visible) {
    for (const id of counted(poll.mine)) counts.set(id, (counts.get(id) ?? 1) - 1);
    for (const id of counted(next)) counts.set(id, (counts.get(id) ?? 0) + 1);
    voters += (next ? 1 : 0) - (poll.mine ? 1 : 0);
  }
  // The shares shown, by the one rule every page uses (results.json's too).
  const optionIds = poll.options.map((o) => o.id);
  const shown = pollPercents(poll.kind, optionIds.map((id) => counts.get(id) ?? 0), voters);
  const percents = new Map(optionIds.map((id, i) => [id, shown[i]]));

  // After a vote with JavaScript, focus goes to what happened (the status line or the error), which also announces it.
  const statusRef = useRef<HTMLParagraphElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const answeredNow = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (!answeredNow) return;
    (answeredNow.ok ? statusRef : errorRef).current?.focus();
  }, [answeredNow]);
  const errors = fetcher.data?.errors ?? actionErrors ?? null;
  const errorText = errors ? Object.values(errors).flat().join(" ") : null;
  const params = new URLSearchParams(location.search);
  const notice =
    fetcher.state === "idle" && fetcher.data?.ok
      ? fetcher.data.message
      : params.get("voted") === poll.slug
        ? "Your answer was recorded."
        : params.get("withdrawn") === poll.slug
          ? "Your answer was withdrawn."
          : null;
  return { fetcher, mine, voters, counts, percents, statusRef, errorRef, errorText, notice };
}

type Vote = ReturnType<typeof useVote>;

/** The options as inputs, each with its count and share when results show. */
function ChoiceList({ poll, vote, checked, submitted }: { poll: PollView; vote: Vote; checked: (o: PollView["options"][number]) => boolean; submitted: Props["submitted"] }) {
  if (poll.kind === "ranked") {
    const places = submitted ? submitted.rank : new Map((poll.mine ?? []).map((id, i) => [id, i + 1]));
    return <RankedChoices poll={poll} places={places} counts={vote.counts} percents={vote.percents} voters={vote.voters} />;
  }
  const inputName = poll.kind === "scale" ? "value" : "option";
  const inputType = poll.kind === "multiple" ? "checkbox" : "radio";
  return (
    <ul className={poll.kind === "scale" ? "choices scale" : "choices"}>
      {poll.options.map((o) => {
        const count = vote.counts.get(o.id) ?? null;
        return (
          <li key={o.id}>
            <label>
              <input
                type={inputType}
                name={inputName}
                value={poll.kind === "scale" ? String(o.value) : String(o.id)}
                defaultChecked={checked(o)}
                data-exclusive={o.exclusive || undefined}
                onChange={poll.kind === "multiple" ? keepExclusiveAlone : undefined}
              />
              <span className="choice-label">
                {poll.kind === "scale" ? <span className="scale-num" aria-hidden="true">{o.value}</span> : null}
                {o.label}
              </span>
            </label>
            {poll.results.visible && count !== null ? (
              poll.kind === "scale" ? (
                <span className="scale-count">
                  {count} ({vote.percents.get(o.id) ?? 0}%)
                </span>
              ) : (
                <ShareBar count={count} total={vote.voters} percent={vote.percents.get(o.id) ?? 0} />
              )
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * The answer form: works as a fetcher with JavaScript and as a plain post without.
 * `pollUrl`: where it posts (the poll's page, or an embed's own address); `canAnswer`: signed in, or a poll that takes guests.
 */
function VoteForm({ poll, vote, pollUrl, canAnswer, submitted }: { poll: PollView; vote: Vote; pollUrl: string; canAnswer: boolean; submitted: Props["submitted"] }) {
  const { fetcher, errorText } = vote;
  const hydrated = useHydrated();
  const here = useHere();
  const pending = fetcher.state !== "idle";
  const errorId = `poll-${poll.slug}-error`;
  const hintId = `poll-${poll.slug}-hint`;
  // A refused plain post shows what was chosen, so nothing typed is lost.
  const checked = (o: PollView["options"][number]) =>
    submitted ? (poll.kind === "scale" ? o.value === submitted.value : submitted.option.includes(o.id)) : (poll.mine?.includes(o.id) ?? false);
  // Without JavaScript the answer page lands at this card, error or not (the fragment carries over the post).
  return (
    <fetcher.Form method="post" action={hydrated ? pollUrl : `${pollUrl}#poll-${poll.slug}`} target="_self" className="poll-form" aria-busy={pending} key={JSON.stringify(poll.mine)}>
      <input type="hidden" name="redirectTo" value={here} />
      {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
      <fieldset disabled={!canAnswer || poll.closed} aria-describedby={[poll.closed ? "" : hintId, errorText ? errorId : ""].filter(Boolean).join(" ") || undefined} aria-invalid={errorText ? true : undefined}>
        <legend className="sr-only">{poll.question}</legend>
        {poll.closed ? null : <p id={hintId} className="hint">{choiceHint(poll)}</p>}
        <ChoiceList poll={poll} vote={vote} checked={checked} submitted={submitted} />
      </fieldset>
      {errorText ? (
        <p id={errorId} className="field-error" role="alert" tabIndex={-1} ref={vote.errorRef}>
          {errorText}
        </p>
      ) : null}
      {canAnswer && !poll.closed ? <VoteButtons fetcher={fetcher} answered={!!vote.mine} /> : null}
    </fetcher.Form>
  );
}

function VoteButtons({ fetcher, answered }: { fetcher: Fetcher; answered: boolean }) {
  const pending = fetcher.state !== "idle";
  const doing = pending ? fetcher.formData?.get("intent") : null;
  return (
    <div className="actions">
      <button type="submit" name="intent" value="vote" disabled={pending}>
        {doing === "vote" ? "Saving…" : answered ? "Change answer" : "Vote"}
      </button>
      {answered ? (
        <button type="submit" name="intent" value="withdraw" className="secondary" disabled={pending} formNoValidate>
          {doing === "withdraw" ? "Withdrawing…" : "Withdraw answer"}
        </button>
      ) : null}
    </div>
  );
}

/** The question, its description, how a prediction resolves, and whether it is open. */
function PollHeading({ poll, voters, pollUrl, headingLevel, linkQuestion }: { poll: PollView; voters: number; pollUrl: string; headingLevel: 1 | 2 | 3; linkQuestion: boolean }) {
  const H = headingLevel === 1 ? "h1" : headingLevel === 2 ? "h2" : "h3";
  return (
    <>
      <H id={`poll-${poll.slug}-q`} className="poll-question">
        {linkQuestion ? <Link to={pollUrl}>{poll.question}</Link> : poll.question}
        {poll.isPrediction ? <span className="badge">prediction</span> : null}
        {poll.closed ? <span className="badge">closed</span> : null}
      </H>
      {poll.descriptionHtml ? <div className="poll-description" dangerouslySetInnerHTML={{ __html: poll.descriptionHtml }} /> : null}
      {poll.isPrediction && poll.resolutionCriteria ? (
        <details className="criteria">
          <summary>How this prediction is resolved</summary>
          <p>{poll.resolutionCriteria}</p>
        </details>
      ) : null}
      <p className="muted poll-status">
        {poll.closed
          ? `Closed ${poll.closesAt ? formatDateTime(poll.closesAt) : ""}: answers can no longer change.`
          : poll.closesAt
            ? `Open until ${formatDateTime(poll.closesAt)}.`
            : "Open."}
        {" "}
        {plural(voters, "voter")}.
      </p>
    </>
  );
}

export function PollCard({ poll, topicSlug, signedIn, headingLevel = 2, linkQuestion = true, actionErrors, submitted = null, compact = false, settled = false, formAction, signInNote }: Props) {
  const pollUrl = `/t/${topicSlug}/p/${poll.slug}`;
  const vote = useVote(poll, actionErrors);
  const { mine, voters, notice, errorText } = vote;
  const mineLabels = !mine
    ? []
    : poll.kind === "ranked"
      ? mine.flatMap((id, i) => poll.options.filter((o) => o.id === id).map((o) => `${i + 1}. ${o.label}`))
      : poll.options.filter((o) => mine.includes(o.id)).map((o) => o.label);
  // On a topic page a question already answered folds to its answer; the form is one click away.
  // Guests (no account) answer where the poll allows them (issue 27).
  const canAnswer = signedIn || poll.allowGuests;
  const folded = compact && !!poll.mine && canAnswer && !poll.closed;
  const form = <VoteForm poll={poll} vote={vote} pollUrl={formAction ?? pollUrl} canAnswer={canAnswer} submitted={submitted} />;

  return (
    <section className={`card poll poll-${poll.kind}`} id={`poll-${poll.slug}`} aria-labelledby={`poll-${poll.slug}-q`}>
      <PollHeading poll={poll} voters={voters} pollUrl={pollUrl} headingLevel={headingLevel} linkQuestion={linkQuestion} />
      {poll.resolution ? <Resolution poll={poll} resolution={poll.resolution} /> : null}
      {notice ? (
        <p className="notice" role="status" tabIndex={-1} ref={vote.statusRef}>
          {notice}
        </p>
      ) : (
        <p className="sr-only" role="status" />
      )}
      {mine && mineLabels.length ? (
        <p className="mine" data-testid="mine">
          You answered: <strong>{mineLabels.join("; ")}</strong>
        </p>
      ) : null}

      {settled ? (
        <p className="muted">
          {voters === 0 ? "No one answered before it closed." : <Link to={`/t/${topicSlug}/results#poll-${poll.slug}`}>{`How the ${plural(voters, "voter")} answered →`}</Link>}
        </p>
      ) : folded ? (
        <details className="change" open={errorText ? true : undefined}>
          <summary>Change or withdraw your answer</summary>
          {form}
        </details>
      ) : (
        form
      )}

      {!signedIn && !poll.closed ? (signInNote ?? <SignInNote poll={poll} pollUrl={pollUrl} />) : null}
      {!poll.results.visible ? <p className="muted results-hidden">{poll.results.reason}</p> : null}
    </section>
  );
}

/** Signed out: how to answer, as a guest where the poll allows it, or by signing in. */
function SignInNote({ poll, pollUrl }: { poll: PollView; pollUrl: string }) {
  const signIn = <Link to={`/login?redirectTo=${encodeURIComponent(pollUrl)}`}>{poll.allowGuests ? "Sign in" : "Sign in to vote"}</Link>;
  const signUp = <Link to={`/signup?redirectTo=${encodeURIComponent(pollUrl)}`}>create an account</Link>;
  if (!poll.allowGuests) {
    return (
      <p>
        {signIn} or {signUp}.
      </p>
    );
  }
  return (
    <p className="muted guest-note">
      {poll.asGuest ? "You answer as a guest: this browser keeps your answer. " : "No account needed: you can answer as a guest (this browser keeps your answer). "}
      {signIn} or {signUp} to keep it with you; your guest answers come along.
    </p>
  );
}

/** A resolved prediction: the outcome, its source, and whether the viewer's answer was right. */
function Resolution({ poll, resolution: r }: { poll: PollView; resolution: NonNullable<PollView["resolution"]> }) {
  const mine = poll.mine;
  return (
    <div className="resolution" role="note" data-testid={`resolution-${poll.slug}`}>
      <p>
        <strong>{`Resolved: ${r.optionLabel}`}</strong> {`on ${formatDate(r.resolvedAt)}.`} {r.note ? <NoteText note={r.note} /> : null}
        {r.sourceUrl ? (
          <a href={r.sourceUrl} rel="noopener noreferrer nofollow">
            Source
          </a>
        ) : null}
      </p>
      {mine ? (
        <p className={mine.includes(r.optionId) ? "verdict right" : "verdict wrong"}>
          {mine.includes(r.optionId) ? "You were right." : `You were wrong: you answered ${poll.options.filter((o) => mine.includes(o.id)).map((o) => o.label).join("; ")}.`}
        </p>
      ) : null}
    </div>
  );
}
