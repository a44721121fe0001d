/**
 * Runs once when a server instance starts: the environment and the payment settings are validated
 * here, so a deployment with a half-configured provider fails at boot, naming what is missing, rather
 * than at its first checkout or webhook. (site.config.ts validates itself when imported.)
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  await import('./env');
  const { readPaymentsConfig } = await import('./payment/config');
  const config = readPaymentsConfig();
  const enabled = [config.stripe && 'Stripe', config.wechat && 'WeChat Pay'].filter(Boolean);
  console.info(`[payments] ${enabled.length > 0 ? `enabled: ${enabled.join(', ')}` : 'not configured'}`);
}
