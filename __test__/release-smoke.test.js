// The release smoke script, as the release workflow runs it on every platform: here on every Node
// the connector supports (20, 22 for Logto today, 24, 26), against `npm pack` of this checkout
// unpacked with nothing installed. A binding change that breaks the script fails this test, not
// the next release.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { load } from 'js-yaml';

import { root } from '../scripts/lib/logto-instance.js';
import { ensureNode, nodeReleases } from '../scripts/lib/node.js';

const run = promisify(execFile);
const smoke = 'node scripts/smoke.js';

for (const [major, version] of Object.entries(nodeReleases)) {
  test(`scripts/smoke.js passes on the packed tarball, on Node ${major}`, async () => {
    const { stdout, stderr } = await run(ensureNode(major), ['scripts/smoke.js'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const line = `smoke ok on linux-x64-gnu (connector-wechat-web.linux-x64-gnu.node), Node v${version}, package packed from this checkout`;
    assert.ok(stdout.split('\n').includes(line), stdout);
    // The panic probes panic on purpose; Rust's hook prints them, and the process lives on.
    assert.match(stderr, /deliberate panic \(panicProbe, sync\)/);
  });
}

test('every smoke job of the release workflow runs that same script, on the unpacked release tarball', () => {
  const workflow = load(readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8'));
  for (const job of ['smoke-linux', 'smoke-native']) {
    const commands = workflow.jobs[job].steps.map((step) => step.run ?? '').filter((command) => command.includes('smoke'));
    assert.equal(commands.length, 1, job);
    // npm's tarballs hold one folder, package/.
    assert.ok(commands[0].trim().endsWith(`${smoke} package`), `${job} runs \`${smoke} package\``);
  }
});
