// The closed sets of the domain, defined once: both schema modules build
// their columns from these lists, and the rest of Pulse takes its types
// from them (users.server re-exports Role, polls.server PollKind and Visibility).

export const ROLES = ["member", "moderator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** `ranked`: people order the options, counted by instant runoff (issue 28). */
export const POLL_KINDS = ["single", "multiple", "scale", "ranked"] as const;
export type PollKind = (typeof POLL_KINDS)[number];

/**
 * How far Pulse trusts an account (issue 28, as Discourse's trust levels): a
 * new account's links and volume are limited and held for review; a member's
 * are not; trusted is set by a moderator or earned (app/models/trust.server.ts).
 */
export const TRUST_LEVELS = ["new", "member", "trusted"] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** A topic's people's statements (issue 28): closed, or open with strict moderation (shown once accepted) or lazy (shown at once). */
export const STATEMENT_MODES = ["off", "strict", "lazy"] as const;
export type StatementMode = (typeof STATEMENT_MODES)[number];
export const STATEMENT_STATUSES = ["pending", "accepted", "hidden"] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

export const VISIBILITIES = ["always", "after_vote", "after_close"] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** What a notification is about; each kind can be turned off in /settings. */
export const NOTIFICATION_KINDS = ["reply", "mention", "resolved", "report", "follow"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** What happened to a ballot, as its poll's public log says (docs/ballot-log.md). */
/** `moved`: a guest signed in and their ballot became the account's (issue 27): the guest's entry empties, the account's holds it. */
export const BALLOT_EVENTS = ["cast", "change", "withdraw", "removed", "moved"] as const;
export type BallotEvent = (typeof BALLOT_EVENTS)[number];

/** A clause's state in one version of a document, against the version before. */
export const CLAUSE_STATUSES = ["added", "present", "changed", "removed", "absent"] as const;
export type ClauseStatus = (typeof CLAUSE_STATUSES)[number];

/** A closed set as SQL's list of literals, for the check constraints both schemas build from the lists above. */
export const sqlValues = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(",");
