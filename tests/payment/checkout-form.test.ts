import { describe, expect, it } from 'vitest';
import { parseCheckoutForm } from '@/app/settings/credits/checkout-form';

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) data.append(key, item);
  }
  return data;
}

describe('parseCheckoutForm (the buy buttons’ server action input)', () => {
  it('reads a pack and a plan with their currency', () => {
    expect(parseCheckoutForm(form({ kind: 'pack', id: 'starter', currency: 'CNY' }))).toEqual({
      product: { kind: 'pack', id: 'starter' },
      currency: 'CNY',
    });
    expect(parseCheckoutForm(form({ kind: 'plan', id: 'lifetime', currency: 'USD' }))).toEqual({
      product: { kind: 'plan', id: 'lifetime' },
      currency: 'USD',
    });
  });

  it.each([
    ['no fields', {}],
    ['no currency', { kind: 'pack', id: 'starter' }],
    ['an unknown currency', { kind: 'pack', id: 'starter', currency: 'EUR' }],
    ['an unknown kind', { kind: 'gift', id: 'starter', currency: 'USD' }],
    ['an unknown plan', { kind: 'plan', id: 'enterprise', currency: 'USD' }],
    ['a malformed pack id', { kind: 'pack', id: '../starter', currency: 'USD' }],
    ['an over-long pack id', { kind: 'pack', id: 'x'.repeat(41), currency: 'USD' }],
  ])('rejects %s', (_, fields) => {
    expect(parseCheckoutForm(form(fields))).toBeNull();
  });

  it('reads only the first value of a repeated field', () => {
    // FormData.get returns the first value: a second, smuggled currency is never read.
    expect(parseCheckoutForm(form({ kind: 'pack', id: 'starter', currency: ['USD', 'EUR'] }))).toEqual({
      product: { kind: 'pack', id: 'starter' },
      currency: 'USD',
    });
  });
});
