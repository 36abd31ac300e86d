// Bursts of sign-ins, hundreds in flight, against the mock in its own process and in this one:
// none lost, the connections the connector opens stay bounded (it queues requests beyond its
// limit instead of dialling a connection for each), and after a warm-up round, a second equal
// round leaves memory where the first did. (Sized for CI; `node --expose-gc scripts/load.js
// --total 40000 --concurrency 500` is the long run, benchmark/README.md gives its results.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';

import { runLoad } from '../scripts/load.js';
import { root } from '../scripts/lib/logto-instance.js';

v8.setFlagsFromString('--expose-gc');
globalThis.gc = vm.runInNewContext('gc');

/** The connector's limit of requests in flight (core/src/wechat.rs), and the slack a pool needs. */
const maxConnections = 2 * 64;

test('3 × 8000 sign-ins, 500 in flight, WeChat in another process: none lost, bounded, no growth', async () => {
  // The first round warms up (allocator arenas, the connection pool); the next two must match.
  const [warmUp, first, second] = await runLoad({ total: 8000, concurrency: 500, rounds: 3, upstream: 'process' });
  for (const round of [warmUp, first, second]) {
    assert.equal(round.failures, 0, round.firstFailure);
    assert.equal(round.maxInFlight, 500);
    assert.ok(round.connections <= maxConnections, `${round.connections} connections opened in round ${round.round}`);
  }
  const grown = second.rss - first.rss;
  assert.ok(grown < Math.max(16 * 1048576, first.rss * 0.1), `RSS grew ${(grown / 1048576).toFixed(1)} MiB between equal rounds`);
  assert.ok(second.heapUsed < first.heapUsed * 1.2 + 4 * 1048576, 'JS heap did not grow');
});

test('8000 sign-ins, 500 in flight, WeChat in this process: none lost, bounded', async () => {
  const [round] = await runLoad({ total: 8000, concurrency: 500, rounds: 1, upstream: 'same' });
  assert.equal(round.failures, 0, round.firstFailure);
  assert.ok(round.connections <= maxConnections, `${round.connections} connections opened`);
});

test("README's load command: the script runs from the command line, both ways", async () => {
  for (const upstream of ['process', 'same']) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', 'scripts/load.js', '--total', '400', '--concurrency', '50', '--rounds', '1', '--upstream', upstream],
      { cwd: root }
    );
    assert.match(stdout, /^round 1: 400 sign-ins, 50 in flight, 0 failures, \d+ connections opened, /m);
  }
});
