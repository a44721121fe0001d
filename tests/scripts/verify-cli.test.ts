import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { addCredits, consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUser } from '../factories';

const run = promisify(execFile);
const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');

async function verifyCli(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['scripts/verify-credits.ts'], { env: { ...process.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run credits:verify', () => {
  it('passes on a consistent ledger, then fails naming the user and the invariant once tampered', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 40, sourceType: 'manual' });
    await consumeCredits({ userId, amount: 15, sourceType: 'ai_call' });

    const clean = await verifyCli();
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/Ledger check passed/);

    // Simulate an admin script that bypassed the primitives: the balance no longer matches the log.
    const sql = getSql();
    await sql`UPDATE user_credit SET current_credits = current_credits + 100, lifetime_granted = lifetime_granted + 100
      WHERE user_id = ${userId}`;
    const broken = await verifyCli();
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(userId);
    expect(broken.stderr).toMatch(/balance equals the sum of the log/);
  }, 60_000);
});
