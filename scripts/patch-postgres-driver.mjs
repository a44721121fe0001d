#!/usr/bin/env node
/**
 * Runs after every `npm install` / `npm ci` (the `postinstall` script): fixes known defects of the
 * `postgres` driver 3.4.9 (the newest release; no published version fixes them) that the torture suite
 * (`npm run torture`) reproduces when connections die. Without these edits a killed connection can
 *   - strand a call forever: `closed()` rejects nothing when the socket closed with an error, and a
 *     retry lands on the dying connection (porsager/postgres#1130, #1186);
 *   - crash the process with an uncaught TypeError (`socket.write` on null) and wedge that connection
 *     for good, because the flush timer is cleared but never reset (#1066, #1133, #1154, #1208);
 *   - answer the next query on that connection with a sparse result (`[ <empty>, row ]`), because the
 *     row counter survives an error (#1119, #1181), or reject it with the dead session's stale error;
 *   - run the rest of a transaction body in autocommit on a reconnected session after `sql.begin()`
 *     has already rejected (#1155);
 *   - run BEGIN on an unreserved connection with `max_pipeline: 0`, which a transaction-mode pooler
 *     needs (#1189);
 *   - leave an unhandled rejection when the type lookup of a new connection is killed.
 * Each edit must match exactly once (or be applied already), in every build of the package (ESM `src`,
 * CommonJS `cjs/src`, Cloudflare `cf/src`), so a different driver version fails the install loudly
 * instead of being half-patched. Research and reproductions: docs/ledger.md#connections-and-timeouts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '3.4.9';
/** Present in every patched file, so the app can check at start-up that the fixes are in place. */
export const MARK = '/* saas-credits: driver fixes applied */';

const connectionEdits = [
  [
    // Reserve a transaction's connection before the pipeline limit can short-circuit it (#1189).
    `        && !q.cursorFn
        && sent.length < max_pipeline
        && (!q.options.onexecute || q.options.onexecute(connection))`,
    `        && !q.cursorFn
        && (!q.options.onexecute || q.options.onexecute(connection))
        && sent.length < max_pipeline`,
  ],
  [
    `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    `  function nextWrite(fn) {
    if (!socket) {
      chunk = nextWriteTimer = null
      return false
    }
    const x = socket.write(chunk, fn)`,
  ],
  [
    `    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)
    socket.removeListener('connect', connected)
    idleTimer.cancel()`,
    `    clearImmediate(nextWriteTimer)
    nextWriteTimer = chunk = null
    rows = 0
    errorResponse = null
    socket.removeListener('data', data)
    socket.removeListener('connect', connected)
    idleTimer.cancel()`,
  ],
  [
    `    if (initial)
      return reconnect()

    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))`,
    `    if (initial) {
      query && queryError(query, Errors.connection('CONNECTION_CLOSED', options, socket))
      query = null
      result = new Result()
      results = null
      return reconnect()
    }

    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))
    query = null
    result = new Result()
    results = null`,
  ],
  [`        return fetchArrayTypes()`, `        return fetchArrayTypes().catch(noop)`],
  [
    `  function ErrorResponse(x) {
    if (query) {`,
    `  function ErrorResponse(x) {
    rows = 0
    if (query) {`,
  ],
];

const indexEdits = [
  [
    `    let savepoints = 0
      , connection`,
    `    let savepoints = 0
      , generation = 0
      , connection`,
  ],
  [
    `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))`,
    `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))
        if ((c.generation || 0) !== generation) return q.reject(Errors.connection('CONNECTION_CLOSED', options))`,
  ],
  [
    `    function onexecute(c) {
      connection = c`,
    `    function onexecute(c) {
      connection = c
      generation = c.generation || 0`,
  ],
  [
    `  function onclose(c, e) {
    move(c, closed)`,
    `  function onclose(c, e) {
    c.generation = (c.generation || 0) + 1
    move(c, closed)`,
  ],
];

function patchFile(file, edits) {
  let source = readFileSync(file, 'utf8');
  if (source.includes(MARK)) return 'already patched';
  for (const [from, to] of edits) {
    const count = source.split(from).length - 1;
    if (count !== 1) {
      throw new Error(`${file}: expected the driver code to patch once, found it ${count} times:\n${from}`);
    }
    source = source.replace(from, to);
  }
  writeFileSync(file, `${MARK}\n${source}`);
  return 'patched';
}

export function patchPostgresDriver(root) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (pkg.version !== VERSION) {
    throw new Error(
      `postgres ${pkg.version} is installed, but scripts/patch-postgres-driver.mjs fixes ${VERSION}: ` +
        'check whether the new version fixes the defects listed there, then update or drop the script.',
    );
  }
  const done = [];
  for (const build of ['src', 'cjs/src', 'cf/src']) {
    const dir = path.join(root, build);
    if (!existsSync(dir)) continue;
    done.push(`${build}/connection.js ${patchFile(path.join(dir, 'connection.js'), connectionEdits)}`);
    done.push(`${build}/index.js ${patchFile(path.join(dir, 'index.js'), indexEdits)}`);
  }
  return done;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres');
  for (const line of patchPostgresDriver(root)) console.log(`[patch-postgres-driver] ${line}`);
}
