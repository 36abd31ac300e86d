// A burst of sign-ins, hundreds in flight, against the mock in its own process: zero failures,
// and a second equal round leaves memory where the first did. (Sized for CI; the long run is
// `node --expose-gc scripts/load.js`.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

import { runLoad } from '../scripts/load.js';

v8.setFlagsFromString('--expose-gc');
globalThis.gc = vm.runInNewContext('gc');

test('2 × 4000 sign-ins at concurrency 256: no failure, no growth', async () => {
  const [first, second] = await runLoad({ total: 4000, concurrency: 256, rounds: 2 });
  for (const round of [first, second]) {
    assert.equal(round.failures, 0, round.firstFailure);
    assert.equal(round.maxInFlight, 256);
  }
  const grown = second.rss - first.rss;
  assert.ok(grown < Math.max(16 * 1048576, first.rss * 0.1), `RSS grew ${(grown / 1048576).toFixed(1)} MiB between equal rounds`);
  assert.ok(second.heapUsed < first.heapUsed * 1.2 + 4 * 1048576, 'JS heap did not grow');
});
