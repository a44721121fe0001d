/**
 * Where to go after signing in or up. Used on the server (the sign-in and sign-up pages, their
 * redirect for someone already signed in) and in the browser (the forms' navigation afterwards), so it
 * imports nothing server-only.
 */

/** Where a missing or unsafe `next` leads instead. */
export const RETURN_FALLBACK = '/settings/credits';

/** Longer return paths are refused rather than echoed into a Location header. */
const MAX_LENGTH = 2_048;

const PROBE_ORIGIN = 'http://same.invalid';

/**
 * Only same-site paths may be returned to after sign-in, never another origin (an open redirect).
 *
 * The check is on the string that is returned, not only on what it parses to. URL parsing resolves dot
 * segments (`/.//evil.com`, `/%2e//evil.com`, `/a/..//evil.com` all become the path `//evil.com`), and a
 * path that starts with `//` or `/\` is read by browsers as another host. So the value is normalised
 * first, then the normalised path itself must be a plain path: one leading slash, no backslash or
 * control character (browsers drop tabs and newlines and read `\` as `/`), and unchanged when parsed
 * again, so that what the browser follows is exactly what was checked.
 */
export function safeReturnPath(value: string | null | undefined): string {
  if (typeof value !== 'string' || !isPlainPath(value)) return RETURN_FALLBACK;
  const normalised = normalise(value);
  if (normalised === null || !isPlainPath(normalised) || normalise(normalised) !== normalised) {
    return RETURN_FALLBACK;
  }
  return normalised;
}

/** The path, query and fragment `value` resolves to on this origin, or null if it leaves it. */
function normalise(value: string): string | null {
  const url = new URL(value, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** One leading slash and nothing a browser could read as the start of a host name. */
function isPlainPath(value: string): boolean {
  return (
    value.length <= MAX_LENGTH &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    ![...value].some(isUnsafeInPath)
  );
}

/** Control characters (U+0000 to U+001F, U+007F) and the backslash. */
function isUnsafeInPath(char: string): boolean {
  const code = char.charCodeAt(0);
  return code <= 0x1f || code === 0x7f || char === '\\';
}
