import { Link } from "@remix-run/react";

export type ReceiptView = {
  leafHash: string;
  index: number | null;
  checkpoint: { size: number; root: string; included: boolean } | null;
  public: boolean;
};

/**
 * A voter's receipt (issue 25): the hash of their latest entry in the
 * poll's public log, and once the integrator has placed it (within a
 * second or so), its index and the signed checkpoint that holds it. With
 * those, any tlog tool can prove the entry is in the log from the tiles.
 */
export function VoteReceipt({ receipt: r, receiptUrl, logUrl }: { receipt: ReceiptView; receiptUrl: string; logUrl: string }) {
  return (
    <section className="card receipt" aria-labelledby="receipt-h" data-testid="receipt">
      <h2 id="receipt-h">Your receipt</h2>
      <p>
        Your latest answer is entry <code className="break">{r.leafHash}</code> in this poll&apos;s log.
      </p>
      {r.index !== null && r.checkpoint?.included ? (
        <p>
          It is entry number <strong data-testid="receipt-index">{r.index}</strong>, included in the signed checkpoint of size{" "}
          <strong data-testid="receipt-size">{r.checkpoint.size}</strong>
          {r.public ? (
            <>
              {" "}
              (<a href={`${logUrl}/checkpoint`}>checkpoint</a>, <a href="/recount/key">the log&apos;s key</a>)
            </>
          ) : null}
          .
        </p>
      ) : (
        <p className="muted">It gets its place in the log within a second or two: reload to see it.</p>
      )}
      <p className="small muted">
        <a href={receiptUrl}>The receipt as JSON</a>. {r.public ? <Link to="/recount">How to check it with your own tools</Link> : "The log is public once this poll's results are."}
      </p>
    </section>
  );
}
