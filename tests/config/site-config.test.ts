import { siteConfig } from '@site-config';
import { describe, expect, it } from 'vitest';

describe('site.config.ts', () => {
  it('gives new users 50 credits expiring after 30 days', () => {
    expect(siteConfig.credits.registerGift).toEqual({ amount: 50, expiresInDays: 30, backfillWithinDays: 7 });
  });

  it('prices every pack and plan in both USD and CNY minor units', () => {
    const priced = [
      ...siteConfig.credits.packs.map((pack) => pack.price),
      ...Object.values(siteConfig.credits.plans).map((plan) => plan.price),
    ];
    for (const price of priced) {
      expect(Number.isInteger(price.USD) && price.USD > 0).toBe(true);
      expect(Number.isInteger(price.CNY) && price.CNY > 0).toBe(true);
    }
  });

  it('has unique pack ids usable in a payment scene', () => {
    const ids = siteConfig.credits.packs.map((pack) => pack.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(`credits_${id}`).toMatch(/^credits_[a-z0-9_]+$/);
  });

  it('charges a positive whole number of credits per AI demo call', () => {
    const { aiDemo } = siteConfig.credits.costs;
    expect(Number.isInteger(aiDemo) && aiDemo > 0).toBe(true);
  });
});
