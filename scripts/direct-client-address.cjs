'use strict';
/**
 * Preloaded by `npm start` (node --require). Only with TRUSTED_PROXY_HOPS=0, a server exposed directly
 * with no proxy in front: `next start` fills X-Forwarded-For with the connection's address only when
 * the request has none, so a client could otherwise send any address it likes and dodge the auth rate
 * limits. This replaces whatever the client sent with the connection's own address before Next.js
 * reads the request. (Behind a proxy it does nothing: there, the proxy's entries are what count.)
 */
if (process.env.TRUSTED_PROXY_HOPS === '0') {
  const http = require('node:http');
  const createServer = http.createServer;

  /** Wraps the request listener, wherever among the arguments it is. */
  http.createServer = function createServerWithClientAddress(...args) {
    const index = args.findIndex((arg) => typeof arg === 'function');
    if (index !== -1) {
      const listener = args[index];
      args[index] = function onRequest(request, response) {
        const address = request.socket.remoteAddress;
        if (address) request.headers['x-forwarded-for'] = address;
        else delete request.headers['x-forwarded-for'];
        return listener.call(this, request, response);
      };
    }
    return createServer.apply(this, args);
  };
  // src/instrumentation.ts refuses to start with TRUSTED_PROXY_HOPS=0 unless this mark is set.
  globalThis[Symbol.for('saas-credits.direct-client-address')] = true;
}
