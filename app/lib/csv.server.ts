import { stringify } from "csv-stringify/sync";
import type { TopicResults } from "~/models/results.server";

const QUOTE = /[,;\t\r\n"]|^[=+\-@]/;

/**
 * RFC 4180 CSV (CRLF) of the aggregates, one row per option; members' and
 * guests' parts last (issue 27), so older readers of the columns still work.
 * A ranked poll's rows are its first choices, then one row per option in
 * play per round of the runoff (`round` set; the note says who wins, who
 * goes out and where their ballots went). Cells starting
 * with = + - @ tab or CR are prefixed with a quote so spreadsheets do not run
 * them as formulas. Every cell holding a separator of any common locale
 * (`,` `;` tab), or starting with a formula character, is quoted: a
 * semicolon-locale spreadsheet would otherwise split `x;=1+1` and run `=1+1`.
 */
export function resultsCsv(data: TopicResults): string {
  const rows: (string | number)[][] = [];
  for (const p of data.polls) {
    if (!p.visible || !p.options) {
      rows.push([data.topic.slug, p.slug, p.question, p.kind, p.voters, "", "", "", "", "", "", `hidden: ${p.hiddenReason ?? ""}`, p.voters - p.guests, p.guests, "", ""]);
      continue;
    }
    for (const o of p.options) {
      rows.push([
        data.topic.slug,
        p.slug,
        p.question,
        p.kind,
        p.voters,
        o.label,
        o.value ?? "",
        o.count,
        o.share.toFixed(4),
        o.low.toFixed(4),
        o.high.toFixed(4),
        "",
        p.voters - p.guests,
        p.guests,
        o.count - o.guests,
        o.guests,
        "",
        "",
      ]);
    }
    for (const r of p.runoff?.rounds ?? []) {
      const label = new Map(r.counts.map((c) => [c.optionId, c.label]));
      const passed = r.transfers.map((t) => `${t.votes} to ${t.to === null ? "no choice left" : label.get(t.to)}`).join(", ");
      for (const c of r.counts) {
        const note = r.majority === c.optionId ? "wins" : r.eliminated.includes(c.optionId) ? `out${passed ? `; passed on: ${passed}` : ""}` : "";
        rows.push([data.topic.slug, p.slug, p.question, p.kind, p.voters, c.label, "", c.votes, (r.counted ? c.votes / r.counted : 0).toFixed(4), "", "", note, "", "", "", "", r.round, r.counted]);
      }
    }
  }
  return stringify(rows, {
    header: true,
    columns: ["topic", "poll", "question", "kind", "voters", "option", "value", "count", "share", "ci95_low", "ci95_high", "note", "member_voters", "guest_voters", "member_count", "guest_count", "round", "round_counted"],
    record_delimiter: "\r\n",
    escape_formulas: true,
    quoted_match: QUOTE,
  });
}

/** A page of a ballot log as CSV: one row per entry, in index order; `labels` names each option id (docs/ballot-log.md). */
export function ballotLogCsv(rows: { index: number; hour: string; voter: string; n: number; action: string; choices: string; leafHash: string }[], labels: Map<string, string>): string {
  const named = rows.map((r) => ({ ...r, labels: r.choices ? r.choices.split(" ").map((id) => labels.get(id) ?? id).join("; ") : "" }));
  return stringify(named, { header: true, columns: ["index", "hour", "voter", "n", "action", "choices", "labels", "leafHash"], record_delimiter: "\r\n", escape_formulas: true, quoted_match: QUOTE });
}
