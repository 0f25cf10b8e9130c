/** Messages per form field; `_form` holds those about the whole form. */
export type FieldErrors = Record<string, string[]>;

/** What a form sends back to be drawn again: strings, or lists for repeated fields. */
export type Values = Record<string, string | string[]>;

/**
 * The one answer a form gets when it cannot be taken (app/lib/http.server.ts
 * makes it): the messages per field (`_form` for the whole form), what was
 * typed so the form can be drawn again (never a secret), and which form on
 * the page it was when there are several.
 */
export type FormReply = { ok: false; form: string | null; errors: FieldErrors; values: Values };
