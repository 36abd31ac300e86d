// The benchmark still works: a tiny run of `npm run bench` (--quick) produces the table, the
// JSON and the chart for both connectors. No speed is asserted here; speed is the bench's job.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { root } from '../scripts/lib/logto-instance.js';

const run = promisify(execFile);

test('benchmark/run.js --quick writes results.json and chart.svg for both connectors', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'bench-'));
  try {
    const { stdout } = await run(process.execPath, [path.join(root, 'benchmark/run.js'), '--quick', '--out', out], { cwd: root, maxBuffer: 8 * 1024 * 1024 });
    assert.match(stdout, /\| getAuthorizationUri \(µs\/call\) \|/);
    assert.match(stdout, /\| sign-ins\/s @64 \|/);
    const report = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8'));
    assert.equal(report.official.version, '1.6.5');
    for (const side of ['official', 'ours']) {
      assert.deepEqual(report[side].concurrency.map((c) => c.concurrency), [1, 64, 512]);
      for (const level of report[side].concurrency) {
        assert.ok(level.perSecond.median > 0 && level.cpuMicrosPerSignIn.median > 0);
      }
      assert.ok(report[side].importMs.median > 0);
    }
    assert.match(report.machine.node, /^v22\./, 'both run on Logto\'s Node 22');
    assert.ok(report.tarballBytes.ours > 0 && report.tarballBytes.official > 0);
    const svg = await readFile(path.join(out, 'chart.svg'), 'utf8');
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 4, 'two series in each of two panels');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
