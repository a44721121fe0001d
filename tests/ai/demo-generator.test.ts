import { describe, expect, it } from 'vitest';
import {
  asksToFail,
  GenerationError,
  generateDemoText,
  PROMPT_MAX_LENGTH,
  PROMPT_MIN_LENGTH,
} from '@/ai/demo-generator';

describe('generateDemoText', () => {
  it('gives the same text for the same prompt, every time', () => {
    const prompt = 'Write a note about concurrency in databases';
    const first = generateDemoText(prompt);
    expect(generateDemoText(prompt)).toBe(first);
    expect(generateDemoText(`  ${prompt}\n`)).toBe(first);
    expect(first.split('. ').length).toBeGreaterThanOrEqual(3);
  });

  it('gives different texts for different prompts', () => {
    const prompts = [
      'Write a note about concurrency in databases',
      'Tell me about cats and their habits',
      'Explain idempotency keys for payments',
      'Plan a weekend trip to the mountains',
    ];
    const texts = new Set(prompts.map(generateDemoText));
    expect(texts.size).toBe(prompts.length);
  });

  it('echoes words of the prompt', () => {
    const text = generateDemoText('Explain idempotency keys for payments');
    expect(['idempotency', 'keys', 'payments'].some((word) => text.includes(word))).toBe(true);
  });

  it('answers a Chinese prompt in Chinese, echoing its words', () => {
    const prompt = '请写一段关于数据库并发的短文';
    const text = generateDemoText(prompt);
    expect(text).toBe(generateDemoText(prompt));
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(text).not.toMatch(/[A-Za-z]/);
    expect(['数据', '数据库', '并发', '短文'].some((word) => text.includes(word))).toBe(true);
  });

  it('still answers a prompt with no usable words', () => {
    expect(generateDemoText('!!!')).toContain('your idea');
    expect(generateDemoText('?')).toBe(generateDemoText('?'));
  });

  it.each(['Please fail now', 'FAIL', 'this should Fail.', 'fail', '请fail一下', '这次请失败', '失败'])(
    'throws a GenerationError when asked to fail: %j',
    (prompt) => {
      expect(asksToFail(prompt)).toBe(true);
      expect(() => generateDemoText(prompt)).toThrow(GenerationError);
    },
  );

  it.each([
    'the build failed yesterday',
    'a failsafe design',
    'prefail checks',
    'tell me about failure modes',
    '成功的秘诀',
  ])('does not fail on a prompt that only contains "fail" inside a word: %j', (prompt) => {
    expect(asksToFail(prompt)).toBe(false);
    expect(typeof generateDemoText(prompt)).toBe('string');
  });

  it('accepts prompts of 1 to 2000 characters after trimming, and refuses the rest', () => {
    expect(PROMPT_MIN_LENGTH).toBe(1);
    expect(PROMPT_MAX_LENGTH).toBe(2_000);
    expect(generateDemoText('a')).not.toBe('');
    expect(generateDemoText(`  ${'x'.repeat(PROMPT_MAX_LENGTH)}  `)).not.toBe('');
    expect(() => generateDemoText('')).toThrow(RangeError);
    expect(() => generateDemoText('   \n\t ')).toThrow(RangeError);
    expect(() => generateDemoText('x'.repeat(PROMPT_MAX_LENGTH + 1))).toThrow(RangeError);
  });
});
