/** Ten one-time codes, shown once: the page says so, and offers them as a file. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const file = `Pulse recovery codes\nEach works once, at /recover.\n\n${codes.join("\n")}\n`;
  return (
    <section className="card" aria-labelledby="codes-heading">
      <h3 id="codes-heading">Your recovery codes</h3>
      <p role="status">
        <strong>Save these now: they are shown only this once.</strong> Each one works once, at <a href="/recover">/recover</a>, if you ever lose your password.
      </p>
      <ul className="codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <p>
        <a href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`} download="pulse-recovery-codes.txt">
          Download them as a text file
        </a>
      </p>
    </section>
  );
}
