/**
 * Runs once when a server instance starts: the environment, the payment settings and the client
 * address setting are checked here, so a bad deployment fails at boot, naming what is wrong, rather
 * than at its first checkout, webhook or sign-in. In production a failure ends the process with exit
 * code 1: a server that kept listening would answer every request with 500 and look alive to the
 * platform. (site.config.ts validates itself when imported.)
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  try {
    await checkDeployment();
  } catch (error) {
    if (process.env.NODE_ENV !== 'production') throw error;
    console.error(`[startup] ${error instanceof Error ? error.message : String(error)}`);
    console.error('[startup] Refusing to serve with this configuration; exiting.');
    process.exit(1);
  }
}

async function checkDeployment(): Promise<void> {
  const { env } = await import('./env');
  const { readPaymentsConfig } = await import('./payment/config');
  const config = readPaymentsConfig();
  const enabled = [config.stripe && 'Stripe', config.wechat && 'WeChat Pay'].filter(Boolean);
  console.info(`[payments] ${enabled.length > 0 ? `enabled: ${enabled.join(', ')}` : 'not configured'}`);

  if (env.NODE_ENV !== 'production') return;
  const { clientAddressSetting, directClientAddressActive } = await import('./lib/client-address');
  const setting = clientAddressSetting(env);
  const direct = setting.source.kind === 'forwarded-for' && setting.source.hops === 0;
  if (direct && !directClientAddressActive()) {
    throw new Error(
      'TRUSTED_PROXY_HOPS=0 (exposed directly) needs scripts/direct-client-address.cjs, which `npm start` ' +
        'loads: without it a client chooses its own address and escapes the sign-in rate limits. Start with ' +
        '`npm start`, or add `--require ./scripts/direct-client-address.cjs` to your node command.',
    );
  }
  if (setting.ambiguous) {
    console.warn(
      '[security] Neither TRUSTED_PROXY_HOPS nor TRUSTED_IP_HEADERS is set: rate limits take the client ' +
        'address from the last X-Forwarded-For entry, as if one proxy appends it. If this server is exposed ' +
        'directly, any client can choose that address: set TRUSTED_PROXY_HOPS=0. Behind N proxies set ' +
        'TRUSTED_PROXY_HOPS=N; behind a proxy that sets its own header, TRUSTED_IP_HEADERS. See docs/security.md.',
    );
  } else {
    console.info(`[security] client address for rate limits: ${setting.description}`);
  }
}
