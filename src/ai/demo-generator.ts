/**
 * A stand-in for a paid AI provider: a small, local, deterministic text generator. The same prompt always
 * gives the same text (the random choices are seeded from a hash of the prompt), it never touches the
 * network, and it fails on request, so the charge-then-refund path can be tried by hand and in tests.
 */

import { PROMPT_MAX_LENGTH, PROMPT_MIN_LENGTH } from './limits';

export { PROMPT_MAX_LENGTH, PROMPT_MIN_LENGTH };

/** The provider failed. The demo throws it when the prompt asks it to fail. */
export class GenerationError extends Error {
  readonly code = 'REQUESTED_FAILURE';

  constructor(message: string) {
    super(message);
    this.name = 'GenerationError';
  }
}

/** True when the prompt contains the whole word "fail" (any case) or 失败. */
export function asksToFail(prompt: string): boolean {
  return /\bfail\b/i.test(prompt) || prompt.includes('失败');
}

/** Generates a few sentences that echo the prompt: in Chinese when it contains Han characters. */
export function generateDemoText(prompt: string): string {
  const trimmed = prompt.trim();
  if (trimmed.length < PROMPT_MIN_LENGTH || trimmed.length > PROMPT_MAX_LENGTH) {
    throw new RangeError(`prompt must be ${PROMPT_MIN_LENGTH} to ${PROMPT_MAX_LENGTH} characters`);
  }
  if (asksToFail(trimmed)) throw new GenerationError('the prompt asked the generator to fail');
  const chinese = /\p{Script=Han}/u.test(trimmed);
  const random = seededRandom(hash(trimmed));
  const topics = pickTopics(trimmed, chinese, random);
  const words = chinese ? zhWords : enWords;
  const pick = (list: readonly string[]): string => list[Math.floor(random() * list.length)] ?? '';
  const values: Record<string, () => string> = {
    topic: () => topics[0] ?? words.fallback[0],
    other: () => topics[1] ?? words.fallback[1],
    third: () => topics[2] ?? words.fallback[2],
    adjective: () => pick(words.adjectives),
    noun: () => pick(words.nouns),
    verb: () => pick(words.verbs),
  };
  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_match, key: string) => values[key]?.() ?? '');
  // Two different middle sentences: the second index skips the first.
  const middle = Math.floor(random() * words.middles.length);
  const nextMiddle = (middle + 1 + Math.floor(random() * (words.middles.length - 1))) % words.middles.length;
  const sentences = [
    pick(words.openers),
    words.middles[middle] ?? '',
    words.middles[nextMiddle] ?? '',
    pick(words.closers),
  ];
  return sentences.map(fill).join(chinese ? '' : ' ');
}

/** Up to three distinct words of the prompt, chosen by the seeded random source, in prompt order. */
function pickTopics(prompt: string, chinese: boolean, random: () => number): string[] {
  const segmenter = new Intl.Segmenter(chinese ? 'zh' : 'en', { granularity: 'word' });
  const minLength = chinese ? 2 : 3;
  const candidates = [
    ...new Set(
      Array.from(segmenter.segment(prompt))
        .filter((part) => part.isWordLike && part.segment.length >= minLength)
        .filter((part) => !stopWords.has(part.segment.toLowerCase()))
        .map((part) => part.segment),
    ),
  ].slice(0, 50);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(3, candidates.length)) {
    chosen.add(candidates[Math.floor(random() * candidates.length)] ?? '');
  }
  return candidates.filter((word) => chosen.has(word));
}

/** Words too common to be what a prompt is about. */
const stopWords = new Set([
  ...['the', 'and', 'for', 'with', 'about', 'this', 'that', 'what', 'how', 'why', 'who', 'from', 'into'],
  ...['are', 'was', 'were', 'can', 'you', 'your', 'our', 'please', 'write', 'tell', 'give', 'make'],
  ...['explain', 'describe', 'some', 'short', 'one', 'two', 'three', 'its', 'their', 'there', 'me'],
  ...['关于', '一段', '一个', '一篇', '一下', '我们', '你们', '什么', '怎么', '如何', '可以', '这个'],
  ...['那个', '为什么', '帮我', '告诉', '介绍', '写一', '简短', '的是'],
]);

/** FNV-1a over the UTF-16 code units: a stable 32-bit seed. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** mulberry32: a tiny, well-distributed PRNG; plenty for choosing words. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const enWords = {
  fallback: ['your idea', 'the details', 'the bigger picture'],
  openers: [
    'Here is a short take on {topic}.',
    'Let us start with {topic}.',
    'A first thought about {topic}: it is more {adjective} than it looks.',
  ],
  middles: [
    'Seen from another angle, {other} is a {adjective} {noun}.',
    'Teams that {verb} {topic} early tend to find {third} easier.',
    'The {adjective} part is how {other} and {third} fit together.',
    'It helps to {verb} one {noun} at a time.',
  ],
  closers: [
    'In short, {topic} rewards a {adjective} approach.',
    'Start small, {verb} often, and let {other} guide the next step.',
    'That is the {noun} worth keeping in mind.',
  ],
  adjectives: ['practical', 'surprising', 'steady', 'careful', 'simple', 'bold', 'quiet'],
  nouns: ['plan', 'pattern', 'question', 'detail', 'habit', 'trade-off', 'signal'],
  verbs: ['test', 'sketch', 'measure', 'revisit', 'simplify', 'explain'],
} as const;

const zhWords = {
  fallback: ['你的想法', '细节', '全局'],
  openers: [
    '关于{topic}，这里有一个简短的看法。',
    '先从{topic}说起。',
    '初看{topic}，它比想象中更{adjective}。',
  ],
  middles: [
    '换个角度看，{other}是一个{adjective}的{noun}。',
    '越早{verb}{topic}，{third}往往越容易。',
    '{adjective}之处在于{other}与{third}如何配合。',
    '一次只{verb}一个{noun}会更有帮助。',
  ],
  closers: [
    '总之，{topic}值得用{adjective}的方式对待。',
    '从小处开始，多{verb}，让{other}引导下一步。',
    '这就是值得记住的{noun}。',
  ],
  adjectives: ['务实', '出人意料', '稳健', '细致', '简单', '大胆', '安静'],
  nouns: ['计划', '模式', '问题', '细节', '习惯', '取舍', '信号'],
  verbs: ['测试', '勾勒', '衡量', '回顾', '简化', '解释'],
} as const;
