import { sql } from "drizzle-orm";
import { BALLOT_EVENTS, CLAUSE_STATUSES, NOTIFICATION_KINDS, POLL_KINDS, ROLES, STATEMENT_MODES, STATEMENT_STATUSES, TRUST_LEVELS, VISIBILITIES, sqlValues } from "./domain";
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// Times are integer milliseconds since the epoch unless a column says otherwise.

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("member"),
    banned: integer("banned", { mode: "boolean" }).notNull().default(false),
    /** Accounts made before trust levels (issue 28) are members; sign-up makes new ones. */
    trustLevel: text("trust_level", { enum: TRUST_LEVELS }).notNull().default("member"),
    createdAt: integer("created_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    // The index, not a prior SELECT, decides whether a name is taken.
    uniqueIndex("users_username_nocase").on(sql`lower(${t.username})`),
    check("users_role_check", sql`${t.role} in (${sql.raw(sqlValues(ROLES))})`),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // Lucia's adapter stores seconds here.
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const topics = sqliteTable("topics", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  title: text("title").notNull(),
  summaryMd: text("summary_md").notNull(),
  summaryHtml: text("summary_html").notNull(),
  sourceUrl: text("source_url"),
  locked: integer("locked", { mode: "boolean" }).notNull().default(false),
  commentCount: integer("comment_count").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  /** People's statements (issue 28): off, strict (a moderator accepts each) or lazy (shown at once, hidden later). */
  statementMode: text("statement_mode", { enum: STATEMENT_MODES }).notNull().default("off"),
  /** The newest comment's time (or the creation time): the home page sorts by it. */
  activeAt: integer("active_at").notNull().default(0),
});

export const polls = sqliteTable(
  "polls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    position: integer("position").notNull().default(0),
    question: text("question").notNull(),
    descriptionMd: text("description_md").notNull().default(""),
    descriptionHtml: text("description_html").notNull().default(""),
    kind: text("kind", { enum: POLL_KINDS }).notNull(),
    minChoices: integer("min_choices").notNull().default(1),
    maxChoices: integer("max_choices").notNull().default(1),
    scaleMinLabel: text("scale_min_label"),
    scaleMaxLabel: text("scale_max_label"),
    visibility: text("visibility", { enum: VISIBILITIES })
      .notNull()
      .default("always"),
    closesAt: integer("closes_at"),
    shuffle: integer("shuffle", { mode: "boolean" }).notNull().default(false),
    commentsLocked: integer("comments_locked", { mode: "boolean" }).notNull().default(false),
    isPrediction: integer("is_prediction", { mode: "boolean" }).notNull().default(false),
    resolutionCriteria: text("resolution_criteria"),
    resolvedOptionId: integer("resolved_option_id"),
    resolutionNote: text("resolution_note"),
    resolutionSourceUrl: text("resolution_source_url"),
    resolvedAt: integer("resolved_at"),
    // Counter kept in the same transaction as every ballot change.
    voterCount: integer("voter_count").notNull().default(0),
    /** Of voter_count, how many are guests (issue 27). */
    guestVoterCount: integer("guest_voter_count").notNull().default(0),
    /** Guests (one browser, no account) may answer (issue 27). */
    allowGuests: integer("allow_guests", { mode: "boolean" }).notNull().default(false),
    /** A moderator hid the results until they reveal them (present mode, issue 27). */
    resultsHidden: integer("results_hidden", { mode: "boolean" }).notNull().default(false),
    commentCount: integer("comment_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("polls_topic_slug").on(t.topicId, t.slug),
    check("polls_kind_check", sql`${t.kind} in (${sql.raw(sqlValues(POLL_KINDS))})`),
    check("polls_visibility_check", sql`${t.visibility} in (${sql.raw(sqlValues(VISIBILITIES))})`),
    check("polls_min_max_check", sql`${t.minChoices} >= 0 and ${t.maxChoices} >= ${t.minChoices}`),
  ],
);

// Scale polls get one option per scale value (value 1..5), so every kind of
// poll is tallied the same way.
export const pollOptions = sqliteTable(
  "poll_options",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    label: text("label").notNull(),
    value: integer("value"),
    /** Picking it clears every other option ("None of these"). */
    exclusive: integer("exclusive", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("poll_options_poll_position").on(t.pollId, t.position)],
);

export const tallies = sqliteTable(
  "tallies",
  {
    optionId: integer("option_id")
      .primaryKey()
      .references(() => pollOptions.id, { onDelete: "cascade" }),
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    count: integer("count").notNull().default(0),
    /** Of count, guests' (issue 27). */
    guestCount: integer("guest_count").notNull().default(0),
  },
  (t) => [index("tallies_poll").on(t.pollId), check("tallies_nonnegative", sql`${t.count} >= 0`)],
);

// Tally changes not yet folded into the counters (issue 25): a vote inserts
// its deltas and never updates a shared row; the integrator folds them into
// tallies and polls.voter_count in batches. Readers add what is pending, so a
// read after a vote's commit sees it. A null option is the voter count.
export const tallyDeltas = sqliteTable(
  "tally_deltas",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    optionId: integer("option_id").references(() => pollOptions.id, { onDelete: "cascade" }),
    delta: integer("delta").notNull(),
    /** The part of delta that is guests' (a move from guest to member is delta 0, guest -1). */
    guestDelta: integer("guest_delta").notNull().default(0),
  },
  (t) => [index("tally_deltas_poll").on(t.pollId, t.optionId)],
);

export const ballots = sqliteTable(
  "ballots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Raised by every change: a write made from a read of the ballot applies only if no other change came between (issue 25). */
    rev: integer("rev").notNull().default(0),
  },
  (t) => [uniqueIndex("ballots_poll_user").on(t.pollId, t.userId), index("ballots_user").on(t.userId)],
);

export const ballotChoices = sqliteTable(
  "ballot_choices",
  {
    ballotId: integer("ballot_id")
      .notNull()
      .references(() => ballots.id, { onDelete: "cascade" }),
    optionId: integer("option_id")
      .notNull()
      .references(() => pollOptions.id, { onDelete: "cascade" }),
    /** A ranked poll's place of the option on the ballot, 1 first (issue 28); null for other kinds. */
    rank: integer("rank"),
  },
  (t) => [primaryKey({ columns: [t.ballotId, t.optionId] }), index("ballot_choices_option").on(t.optionId)],
);

// Append-only: every cast, change and withdrawal, for trends over time.
export const ballotHistory = sqliteTable(
  "ballot_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    action: text("action", { enum: ["cast", "change", "withdraw"] }).notNull(),
    // JSON array of option ids after the action (empty for a withdrawal).
    optionIds: text("option_ids").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("ballot_history_poll_at").on(t.pollId, t.at), index("ballot_history_user").on(t.userId)],
);

// Daily roll-up of the tallies as they stood at the end of each UTC day.
export const tallyDaily = sqliteTable(
  "tally_daily",
  {
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    optionId: integer("option_id")
      .notNull()
      .references(() => pollOptions.id, { onDelete: "cascade" }),
    count: integer("count").notNull(),
    voters: integer("voters").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.day, t.optionId] })],
);

export const comments = sqliteTable(
  "comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    pollId: integer("poll_id").references(() => polls.id, { onDelete: "cascade" }),
    parentId: integer("parent_id"),
    depth: integer("depth").notNull().default(0),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    stanceOptionId: integer("stance_option_id").references(() => pollOptions.id, { onDelete: "set null" }),
    bodyMd: text("body_md").notNull(),
    bodyHtml: text("body_html").notNull(),
    ups: integer("ups").notNull().default(0),
    downs: integer("downs").notNull().default(0),
    // Sort keys derived from ups/downs, kept in the same transaction as a vote
    // so sorting by them can use an index (SQLite has no sqrt by default).
    best: real("best").notNull().default(0),
    controversy: real("controversy").notNull().default(0),
    replyCount: integer("reply_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    editedAt: integer("edited_at"),
    deletedAt: integer("deleted_at"),
    removedAt: integer("removed_at"),
    removedBy: text("removed_by").references(() => users.id),
    /** A new account's comment waiting for a moderator (issue 28): also removed (so no public path shows it) with no one named. */
    heldAt: integer("held_at"),
  },
  (t) => [
    index("comments_thread").on(t.topicId, t.pollId, t.parentId, t.createdAt),
    index("comments_parent").on(t.parentId, t.createdAt),
    index("comments_thread_best").on(t.topicId, t.pollId, t.parentId, t.best),
    index("comments_author").on(t.authorId),
    // "N new" since a visit: a topic's comments after a time.
    index("comments_topic_created").on(t.topicId, t.createdAt),
  ],
);

export const commentRevisions = sqliteTable(
  "comment_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commentId: integer("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    bodyMd: text("body_md").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("comment_revisions_comment").on(t.commentId)],
);

export const commentVotes = sqliteTable(
  "comment_votes",
  {
    commentId: integer("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    value: integer("value").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.userId] }), check("comment_votes_value", sql`${t.value} in (-1, 1)`)],
);

export const reports = sqliteTable(
  "reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commentId: integer("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    reporterId: text("reporter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    status: text("status", { enum: ["open", "dismissed", "actioned"] }).notNull().default("open"),
    createdAt: integer("created_at").notNull(),
    handledBy: text("handled_by").references(() => users.id),
    handledAt: integer("handled_at"),
  },
  (t) => [uniqueIndex("reports_comment_reporter").on(t.commentId, t.reporterId), index("reports_status").on(t.status)],
);

export const moderationLog = sqliteTable(
  "moderation_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    actorId: text("actor_id").references(() => users.id),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    reason: text("reason"),
    details: text("details"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("moderation_log_created").on(t.createdAt)],
);

/** One row that /healthz rewrites now and then to prove the database takes writes. */
export const healthChecks = sqliteTable("health_checks", {
  id: integer("id").primaryKey(),
  checkedAt: integer("checked_at").notNull(),
});

/**
 * What anonymous pages show, by scope: one row per topic (scope = its id)
 * and row 0 for the site. Every write that changes a page bumps its rows in
 * its own transaction; the page cache keys on them (docs/caching.md).
 */
export const dataVersions = sqliteTable("data_versions", {
  scope: integer("scope").primaryKey(),
  version: integer("version").notNull(),
});

/** Texts of the site that admins edit from the browser, by key ("rules"). */
export const siteTexts = sqliteTable("site_texts", {
  key: text("key").primaryKey(),
  bodyMd: text("body_md").notNull(),
  bodyHtml: text("body_html").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
});

/** Someone's inbox: written in the same transaction as what causes it. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    pollId: integer("poll_id").references(() => polls.id, { onDelete: "cascade" }),
    commentId: integer("comment_id").references(() => comments.id, { onDelete: "cascade" }),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    /** A word about the outcome: "right"/"wrong" for a resolution, "actioned"/"dismissed" for a report. */
    detail: text("detail"),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
  },
  (t) => [
    index("notifications_user").on(t.userId, t.id),
    index("notifications_unread").on(t.userId, t.readAt),
    index("notifications_comment").on(t.commentId),
  ],
);

/** A row turns one kind of notification off for one person. */
export const notificationMutes = sqliteTable(
  "notification_mutes",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

/** Topics a person follows (private: only they see it). */
/** People a person muted: nothing they do notifies the muter (issue 23). */
export const userMutes = sqliteTable(
  "user_mutes",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mutedId: text("muted_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.mutedId] }), index("user_mutes_muted").on(t.mutedId)],
);

export const follows = sqliteTable(
  "follows",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.topicId] }), index("follows_topic").on(t.topicId)],
);

/**
 * When a person last opened a topic. `seenAt` is the latest visit; `markFrom`
 * is where the current visit's "new" marks start, kept for a while so that
 * reloads and revalidations do not wipe the marks (models/unread.server.ts).
 */
export const topicVisits = sqliteTable(
  "topic_visits",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    seenAt: integer("seen_at").notNull(),
    markFrom: integer("mark_from").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.topicId] })],
);

/** One-time recovery codes, stored as SHA-256 digests (decision 017). */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** One-time password-reset links that an admin issues; the token is stored as a SHA-256 digest. */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("password_resets_user").on(t.userId)],
);

/**
 * A topic's opinion map, computed in the background (models/opinion-map.server.ts).
 * `data` is what everyone may see; `members` (each person's place and group)
 * never leaves the server except a person's own entry, to that person.
 */
export const opinionMaps = sqliteTable("opinion_maps", {
  topicId: integer("topic_id")
    .primaryKey()
    .references(() => topics.id, { onDelete: "cascade" }),
  computedAt: integer("computed_at").notNull(),
  ballotCount: integer("ballot_count").notNull(),
  data: text("data").notNull(),
  members: text("members").notNull(),
});

// Append-only, per poll: every ballot event under a pseudonym, hash-chained
// (docs/ballot-log.md). No user id: nothing here leads back to a person.
export const ballotLog = sqliteTable(
  "ballot_log",
  {
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    /** The hour of the event, as "2026-11-29T08Z". */
    hour: text("hour").notNull(),
    voter: text("voter").notNull(),
    action: text("action", { enum: BALLOT_EVENTS }).notNull(),
    /** Option ids after the event, ascending, space-separated ("" for a withdrawal or removal). */
    choices: text("choices").notNull(),
    prev: text("prev").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.seq] })],
);

/** Secrets every instance shares, made once (the ballot log's pseudonym key). */
export const serverSecrets = sqliteTable("server_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
});

// The ballot log as a transparency log (issue 25, docs/ballot-log.md): a
// vote adds its entry at once, without an index; the integrator gives
// pending entries their places in the poll's RFC 6962 tree, stores the
// tree's hashes as tlog-tiles serves them, and signs a checkpoint.
export const logEntries = sqliteTable(
  "log_entries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    /** The entry's place in the poll's tree; null until integrated. */
    idx: integer("idx"),
    /** The voter's pseudonym in this poll (as in the entry), so a voter finds their receipt by index. */
    voter: text("voter").notNull().default(""),
    /** The entry's bytes, as UTF-8 text (one line, docs/ballot-log.md). */
    entry: text("entry").notNull(),
    /** RFC 6962 leaf hash of the entry, hex. */
    hash: text("hash").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("log_entries_poll_idx").on(t.pollId, t.idx),
    index("log_entries_pending").on(t.pollId).where(sql`${t.idx} is null`),
    index("log_entries_voter").on(t.pollId, t.voter, t.id),
  ],
);

/** Stored tree hashes: level 0 the leaves, level l the hash of each full block of 256^l leaves. */
export const logHashes = sqliteTable(
  "log_hashes",
  {
    pollId: integer("poll_id")
      .notNull()
      .references(() => polls.id, { onDelete: "cascade" }),
    level: integer("level").notNull(),
    idx: integer("idx").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.level, t.idx] })],
);

/** Each poll's latest signed checkpoint. */
export const logCheckpoints = sqliteTable("log_checkpoints", {
  pollId: integer("poll_id")
    .primaryKey()
    .references(() => polls.id, { onDelete: "cascade" }),
  size: integer("size").notNull(),
  root: text("root").notNull(),
  note: text("note").notNull(),
  signedAt: integer("signed_at").notNull(),
});

// A topic's comparison of a document's versions, clause by clause (docs/decisions/020).
export const docComparisons = sqliteTable("doc_comparisons", {
  topicId: integer("topic_id")
    .primaryKey()
    .references(() => topics.id, { onDelete: "cascade" }),
  title: text("title").notNull(),
  intro: text("intro").notNull().default(""),
  updatedAt: integer("updated_at").notNull(),
});

export const docVersions = sqliteTable(
  "doc_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    label: text("label").notNull(),
    released: text("released").notNull().default(""),
    sourceUrl: text("source_url"),
  },
  (t) => [index("doc_versions_topic").on(t.topicId, t.position)],
);

export const docClauses = sqliteTable(
  "doc_clauses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    /** The clause's scale poll; its thread is the clause's thread. */
    pollId: integer("poll_id").references(() => polls.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("doc_clauses_topic_slug").on(t.topicId, t.slug), uniqueIndex("doc_clauses_poll").on(t.pollId)],
);

export const docCells = sqliteTable(
  "doc_cells",
  {
    clauseId: integer("clause_id")
      .notNull()
      .references(() => docClauses.id, { onDelete: "cascade" }),
    versionId: integer("version_id")
      .notNull()
      .references(() => docVersions.id, { onDelete: "cascade" }),
    status: text("status", { enum: CLAUSE_STATUSES }).notNull(),
    summary: text("summary").notNull(),
    sourceUrl: text("source_url"),
  },
  (t) => [
    primaryKey({ columns: [t.clauseId, t.versionId] }),
    index("doc_cells_version").on(t.versionId),
    check("doc_cells_status_check", sql`${t.status} in (${sql.raw(sqlValues(CLAUSE_STATUSES))})`),
  ],
);

/**
 * People's statements on a topic (issue 28, Pol.is-style): one idea each, at
 * most 140 characters, rated agree, disagree or pass by everyone. A seed
 * statement is an admin's, with no author shown.
 */
export const statements = sqliteTable(
  "statements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    authorId: text("author_id").references(() => users.id),
    body: text("body").notNull(),
    status: text("status", { enum: STATEMENT_STATUSES }).notNull(),
    seed: integer("seed", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    moderatedAt: integer("moderated_at"),
    moderatedBy: text("moderated_by").references(() => users.id),
  },
  (t) => [index("statements_topic_status").on(t.topicId, t.status), index("statements_author").on(t.authorId, t.createdAt)],
);

/** One rating per person per statement: 1 agree, -1 disagree, 0 pass. */
export const statementVotes = sqliteTable(
  "statement_votes",
  {
    statementId: integer("statement_id")
      .notNull()
      .references(() => statements.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    vote: integer("vote").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.statementId, t.userId] }), index("statement_votes_user").on(t.userId), check("statement_votes_vote", sql`${t.vote} in (-1, 0, 1)`)],
);
