/**
 * Where a reader goes to buy more credits: the "Buy more" section of the credits page. One constant for
 * the server (the 402 answer of /api/ai/generate) and the browser (its fallback when the answer has none),
 * so the two cannot drift apart. It imports nothing, so client components may use it.
 */
export const BUY_MORE_HREF = '/settings/credits#buy';
