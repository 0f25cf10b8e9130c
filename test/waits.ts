/**
 * How long a test waits for something to happen before it gives up: one
 * place for every suite. It is sized for a loaded two-core machine (a
 * sign-up hashes a password with argon2id and renders a page; CI may run
 * beside other work), not for a quiet one. `PULSE_TEST_WAIT_MS` overrides it.
 *
 * A wait is always for a condition (`expect.poll` with a message saying what
 * it waited for, a Playwright locator or URL), never for a fixed time.
 */
export const WAIT_MS = Number(process.env.PULSE_TEST_WAIT_MS) || 20_000;

/** `expect.poll` defaults for every project: the one-second default is too short under load. */
export const POLL_DEFAULTS = { poll: { timeout: WAIT_MS, interval: 100 } };
