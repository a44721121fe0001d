/**
 * The demo's prompt limits, in characters after trimming (UTF-16 code units, as a textarea's maxLength
 * counts them). A module of their own so the browser can share them without loading the generator.
 */
export const PROMPT_MIN_LENGTH = 1;
export const PROMPT_MAX_LENGTH = 2_000;
