// The package's loader (lib/binding.js) picks the .node file for each platform, arch and libc,
// from the package's own folder only. Only some platforms can be run here, so it runs with a
// stand-in `process` and `require` (scripts/platforms-test.js does the same with the tarballs it
// packs); when nothing fits, its error names the platform, the binaries the folder really holds,
// and how to get the right tarball.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { binariesIn, binaryName, linuxLibc, loadBinding, packageFolder, platformName } from '../lib/binding.js';
import { platformOfTriple } from '../scripts/platforms.js';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const shipped = pkg.napi.targets.map(platformOfTriple);

/** What the loader would require for `host`, and what it answered. */
const pick = (host, folder = packageFolder) => {
  const required = [];
  const load = (file) => {
    required.push(file);
    return { loadedFrom: path.basename(file) };
  };
  return { binding: loadBinding({ host: { version: 'v22.23.5', ...host }, folder, load }), required };
};

describe('the loader picks the binary for each platform', () => {
  const cases = [
    ['Debian/Ubuntu x64 (glibc)', { platform: 'linux', arch: 'x64', libc: 'gnu' }, 'linux-x64-gnu'],
    ["node:22-alpine x64 (musl, Logto's image)", { platform: 'linux', arch: 'x64', libc: 'musl' }, 'linux-x64-musl'],
    ['Debian arm64 (glibc)', { platform: 'linux', arch: 'arm64', libc: 'gnu' }, 'linux-arm64-gnu'],
    ['Alpine arm64 (musl)', { platform: 'linux', arch: 'arm64', libc: 'musl' }, 'linux-arm64-musl'],
    ['macOS Intel', { platform: 'darwin', arch: 'x64' }, 'darwin-x64'],
    ['macOS Apple silicon', { platform: 'darwin', arch: 'arm64' }, 'darwin-arm64'],
    ['Windows x64', { platform: 'win32', arch: 'x64' }, shipped.find((p) => p.startsWith('win32-x64'))],
  ];
  test('the cases cover every platform the release ships', () => {
    assert.deepEqual(cases.map(([, , platform]) => platform).sort(), [...shipped].sort());
  });
  for (const [name, host, expected] of cases) {
    test(`${name}: ${binaryName(expected)}, from the package's folder`, () => {
      const { binding, required } = pick(host);
      assert.deepEqual(required, [path.join(packageFolder, binaryName(expected))]);
      assert.equal(binding.loadedFrom, binaryName(expected));
    });
  }
  test("this machine's platform name is the one its binary was built under", () => {
    assert.deepEqual(binariesIn(), [platformName(process)]);
  });
});

/** Runs `check` on a fresh folder holding `files` (empty), then removes it. */
const withFolder = async (files, check) => {
  const folder = await mkdtemp(path.join(tmpdir(), 'connector-folder-'));
  try {
    for (const file of files) await writeFile(path.join(folder, file), '');
    return await check(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
};

describe('where nothing fits, the error says what was found and what to do', () => {
  test('a platform the package has no binary for: its name, the binaries really present, how to get one', () =>
    withFolder(
      // Beside two binaries, files left by hand that the loader would never require.
      [binaryName('linux-arm64-musl'), binaryName('darwin-arm64'), 'README.md', `${binaryName('linux-x64-musl')}.bak`, `old-${binaryName('linux-x64-musl')}`],
      (folder) =>
        assert.throws(
          () => loadBinding({ host: { platform: 'linux', arch: 'x64', libc: 'musl', version: 'v22.23.5' }, folder }),
          (error) =>
            error.message.startsWith('connector-wechat-web-rs cannot run on linux-x64-musl (Node v22.23.5): ') &&
            error.message.includes('this package carries no binary for it, only: darwin-arm64, linux-arm64-musl.') &&
            error.message.includes('npm run pack:linux') &&
            error.message.includes('release tarball') &&
            error.cause instanceof Error
        )
    ));

  test('a package packed before any build: it carries none', () =>
    withFolder([], (folder) =>
      assert.throws(
        () => loadBinding({ host: { platform: 'linux', arch: 'x64', libc: 'gnu', version: 'v22.23.5' }, folder }),
        (error) => error.message.includes('cannot run on linux-x64-gnu (Node v22.23.5): this package carries no binary for it, only: none.')
      )
    ));

  for (const [name, host] of [
    ['Linux riscv64', { platform: 'linux', arch: 'riscv64', libc: 'gnu' }],
    ['Windows arm64', { platform: 'win32', arch: 'arm64' }],
    ['FreeBSD x64', { platform: 'freebsd', arch: 'x64' }],
  ]) {
    test(`${name}: the real require finds nothing, the package's binaries are listed`, () => {
      assert.throws(
        () => loadBinding({ host: { ...host, version: 'v22.23.5' } }),
        (error) => error.message.includes(`cannot run on ${platformName(host)}`) && error.message.includes(`only: ${platformName(process)}.`)
      );
    });
  }

  test('a binary that is there but does not load is named with why', () =>
    withFolder([], async (folder) => {
      await writeFile(path.join(folder, binaryName(platformName(process))), 'not a shared object');
      assert.throws(
        () => loadBinding({ folder }),
        (error) => error.message.includes(`its ${binaryName(platformName(process))} did not load: `) && /invalid ELF header|file too short/.test(error.message)
      );
    }));
});

describe('platform names', () => {
  test('from process-like objects', () => {
    assert.equal(platformName({ platform: 'linux', arch: 'x64', libc: 'gnu' }), 'linux-x64-gnu');
    assert.equal(platformName({ platform: 'linux', arch: 'arm64', libc: 'musl' }), 'linux-arm64-musl');
    assert.equal(platformName({ platform: 'darwin', arch: 'arm64' }), 'darwin-arm64');
  });
  test("this process's libc, from its memory map", () => {
    assert.equal(linuxLibc(), 'gnu');
    assert.equal(platformName(process), 'linux-x64-gnu');
  });

  // Lines of /proc/self/maps as each system maps its C library (and, for musl, glibc look-alikes).
  const mapped = (...files) => files.map((file, i) => `7f3c1a2${i}0000-7f3c1a2${i}8000 r--p 00000000 08:01 18350${i}   ${file}`).join('\n') + '\n';
  for (const [system, maps, libc] of [
    ['Debian 12, Ubuntu 24.04 (glibc 2.34+)', mapped('/usr/bin/node', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'), 'gnu'],
    ['RHEL 8 (glibc 2.28)', mapped('/usr/lib64/libstdc++.so.6.0.25', '/usr/lib64/libc-2.28.so', '/usr/lib64/ld-2.28.so'), 'gnu'],
    ['glibc upgraded while the process runs', mapped('/usr/lib/aarch64-linux-gnu/libc.so.6 (deleted)'), 'gnu'],
    ["node:22-alpine (Logto's image)", mapped('/usr/local/bin/node', '/usr/lib/libstdc++.so.6.0.33', '/usr/lib/libgcc_s.so.1', '/lib/ld-musl-x86_64.so.1'), 'musl'],
    ['Alpine arm64 with gcompat', mapped('/lib/libgcompat.so.0', '/lib/ld-musl-aarch64.so.1'), 'musl'],
    ["Debian's musl as the loader (scripts/platforms-test.js)", mapped('/opt/bun', '/usr/lib/x86_64-linux-musl/libc.so'), 'musl'],
    ['musl, with files only named like glibc', mapped('/srv/libc.so.6.bak', '/srv/libc.so.6/data', '/srv/mylibc.so.6', '/lib/ld-musl-x86_64.so.1'), 'musl'],
  ]) {
    test(`the libc from a memory map: ${system} is ${libc}`, () => assert.equal(linuxLibc(maps), libc));
  }

  test("without /proc, from Node's report (whether Node runs on glibc)", () => {
    assert.equal(linuxLibc(null, { getReport: () => ({ header: { glibcVersionRuntime: '2.36' } }) }), 'gnu');
    assert.equal(linuxLibc(null, { getReport: () => ({ header: {} }) }), 'musl');
    assert.equal(linuxLibc(null, process.report), 'gnu');
  });

  test("the report looks up no socket's name (that blocks on DNS), the setting left as found", async () => {
    // A connected socket, as Logto's database connection is when it loads its connectors.
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address();
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const { localPort } = socket;
    const { report } = process;
    const { getReport, excludeNetwork } = report;
    const reports = [];
    report.getReport = (...args) => {
      const taken = getReport.apply(report, args);
      reports.push(taken);
      return taken;
    };
    try {
      for (const setting of [false, true]) {
        report.excludeNetwork = setting;
        assert.equal(linuxLibc(null, report), 'gnu');
        assert.equal(report.excludeNetwork, setting);
      }
    } finally {
      report.getReport = getReport;
      report.excludeNetwork = excludeNetwork;
      socket.destroy();
      server.close();
    }
    assert.equal(reports.length, 2);
    for (const { header, libuv } of reports) {
      assert.equal(header.networkInterfaces, undefined);
      const ours = libuv.find(({ localEndpoint }) => localEndpoint?.port === localPort);
      // Named by its address: no lookup of 127.0.0.1's name (`localhost`).
      assert.deepEqual(ours.remoteEndpoint, { ip4: '127.0.0.1', host: '127.0.0.1', port });
    }
  });
  test('package.json napi.targets name the seven platforms the loader knows', () => {
    assert.equal(shipped.length, 7);
    assert.equal(new Set(shipped).size, 7);
  });
});
