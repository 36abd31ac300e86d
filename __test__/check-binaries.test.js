// scripts/check-binaries.js, which the release workflow runs to keep each binary and the
// tarball within budget and to make sure the tarball carries all seven: run here on what this
// machine builds, passing and failing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { root } from '../scripts/lib/logto-instance.js';

const run = promisify(execFile);
const check = (...args) => run(process.execPath, ['scripts/check-binaries.js', ...args], { cwd: root }).then(
  ({ stdout }) => ({ code: 0, stdout }),
  (error) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr })
);

test("this machine's binary is within the release budget, and a smaller budget fails it", async () => {
  const within = await check('--only', 'x86_64-unknown-linux-gnu', '--max-binary', '3500000');
  assert.equal(within.code, 0, within.stderr);
  assert.match(within.stdout, /^connector-wechat-web\.linux-x64-gnu\.node: \d+ bytes$/m);
  const over = await check('--only', 'x86_64-unknown-linux-gnu', '--max-binary', '1000');
  assert.equal(over.code, 1);
  assert.match(over.stderr, /connector-wechat-web\.linux-x64-gnu\.node is \d+ bytes, over 1000/);
});

test('--all and --tarball name every binary that is missing', async () => {
  const all = await check('--all');
  assert.equal(all.code, 1);
  assert.match(all.stderr, /missing connector-wechat-web\.darwin-arm64\.node/);
  const scratch = await mkdtemp(path.join(tmpdir(), 'check-binaries-'));
  try {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const packJson = path.join(scratch, 'pack.json');
    await writeFile(packJson, stdout);
    const tarball = await check('--tarball', packJson, '--max-tarball', '12000000');
    assert.equal(tarball.code, 1);
    assert.match(tarball.stderr, /tarball lacks connector-wechat-web\.win32-x64-gnu\.node/);
    assert.doesNotMatch(tarball.stderr, /tarball lacks connector-wechat-web\.linux-x64-gnu\.node/);
    assert.match(tarball.stdout, /^connector-wechat-web-rs-0\.1\.0\.tgz: \d+ bytes, \d+ files$/m);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
