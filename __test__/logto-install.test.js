// The packed tarball in a Logto instance: placed the way `logto connector add` places it, found
// and loaded by Logto's own loader (@logto/cli) on every Node the connector supports, then used
// for a sign-in against the mock WeChat (failures are the host's ConnectorError class). README's
// install, check, Docker and going-back commands, run literally on an instance laid out as
// Logto's image has it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { startMockWeChat } from '../mock/wechat-server.js';
import { binaryName, platformName } from '../lib/binding.js';
import { connectorAdd, makeInstance, node22, packTarball, readmeInstallSection, readmeTarball, root, runHost, runReadme } from '../scripts/lib/logto-instance.js';
import { ensureNode, nodeReleases } from '../scripts/lib/node.js';

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

describe("Logto's loader accepts the packed connector", () => {
  for (const major of Object.keys(nodeReleases)) {
    test(`untarred into packages/core/connectors, loaded on Node ${major}`, async () => {
      const { instance, connectors } = await makeInstance();
      try {
        const target = path.join(connectors, 'connector-wechat-web-rs');
        await mkdir(target);
        await run('tar', ['-xzf', tarball.path, '--strip-components=1', '-C', target]);
        const report = await runHost(ensureNode(major), { instance, mockUrl: mock.url });
        expectSignedIn(report, Number(major));
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

const { install, check, goBack, dockerfile: dockerfileInReadme } = await readmeInstallSection();
const checkPath = 'packages/core/connectors/connector-wechat-web-rs/lib/check.js';
const config = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };

describe("README's install section on an instance laid out as Logto's image", () => {
  test('README has the install, check, Docker and going-back blocks, and names the tarball npm pack makes', () => {
    assert.match(install, /connector remove @logto\/connector-wechat-web --path \./);
    assert.match(install, /connector add \/path\/to\/connector-wechat-web-rs-0\.1\.0\.tgz --path \./);
    assert.ok(install.trim().endsWith(`node ${checkPath}`), 'the install block ends with the check');
    assert.ok(check.trim().endsWith(`node ${checkPath} --config -`));
    assert.match(goBack, /connector link --path \./);
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

  test('the install block leaves exactly one wechat-web factory, ours, and its check passes; the going-back block restores the official one', async () => {
    const { instance, connectors } = await makeInstance({ official: true });
    try {
      const { stdout } = await runReadme(install, instance, { [readmeTarball]: tarball.path });
      const own = platformName(process);
      assert.match(stdout, new RegExp(`^ok {3}native binary: ${binaryName(own).replaceAll('.', '\\.')} for ${own} `, 'm'));
      assert.match(stdout, /^ok {3}@logto\/connector-kit: \d+\.\d+\.\d+ at .*packages\/core\/node_modules\/@logto\/connector-kit;/m);
      assert.match(stdout, /^ok {3}Logto's loader: connector-wechat-web-rs 0\.1\.0 creates the Social connector wechat-web$/m);
      assert.doesNotMatch(stdout, /^FAIL/m);
      assert.deepEqual(await readdir(connectors), ['connector-wechat-web-rs']);
      await access(path.join(root, 'node_modules/@logto/connector-wechat-web/package.json'));
      const report = await runHost(node22, { instance, mockUrl: mock.url });
      expectSignedIn(report, 22);

      await runReadme(goBack, instance);
      const back = await runHost(node22, { instance, mockUrl: mock.url, loadOnly: true });
      assert.deepEqual(back.packages, ['@logto/connector-wechat-web']);
      assert.deepEqual(back.loaded, ['wechat-web']);
      assert.deepEqual(back.loadedFrom, ['@logto-connector-wechat-web']);
    } finally {
      await rm(instance, { recursive: true, force: true });
    }
  });

  test('with a tarball that has no binary for this platform, the install block fails at the check, naming the platform and the binaries present', async () => {
    const { instance, connectors } = await makeInstance({ official: true });
    const repacked = await mkdtemp(path.join(tmpdir(), 'connector-repack-'));
    try {
      // The tarball a Mac user's `npm run build && npm pack` would give: another platform's binary.
      await run('tar', ['-xzf', tarball.path], { cwd: repacked });
      await unlink(path.join(repacked, 'package', binaryName(platformName(process))));
      await writeFile(path.join(repacked, 'package', binaryName('darwin-arm64')), 'not for this machine');
      const other = path.join(repacked, path.basename(tarball.path));
      await run('tar', ['-czf', other, 'package'], { cwd: repacked });
      const failed = await runReadme(install, instance, { [readmeTarball]: other }).then(
        () => assert.fail('the install block passed'),
        (error) => error
      );
      assert.equal(failed.code, 1);
      assert.match(failed.stdout, /^ok {3}Node: /m);
      assert.match(
        failed.stdout,
        new RegExp(`^FAIL native binary: connector-wechat-web-rs cannot run on ${platformName(process)} \\(Node v22\\.[0-9.]+\\): this package carries no binary for it, only: darwin-arm64\\. .*npm run pack:linux`, 'm')
      );
      assert.deepEqual(await readdir(connectors), ['connector-wechat-web-rs'], 'the connector is in place, and the check said it cannot run');
    } finally {
      await rm(instance, { recursive: true, force: true });
      await rm(repacked, { recursive: true, force: true });
    }
  });

  test("the check block asks WeChat (here the mock) with the console's JSON on standard input, and prints no secret", async () => {
    const { instance } = await makeInstance({ official: true });
    try {
      await runReadme(install, instance, { [readmeTarball]: tarball.path });
      const answer = (json, env) =>
        new Promise((resolve) => {
          const child = execFile('sh', ['-e', '-c', check.replaceAll('/path/to/logto', instance)], { cwd: instance, env: { ...process.env, ...env, PATH: `${path.dirname(node22)}:${process.env.PATH}` } }, (error, stdout, stderr) =>
            resolve({ code: error?.code ?? 0, stdout, stderr })
          );
          child.stdin.end(json);
        });
      const accepted = await answer(JSON.stringify(config), { LOGTO_WECHAT_API_BASE_URL: mock.url });
      assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
      assert.match(accepted.stdout, /^ok {3}WeChat API: http:\/\/127\.0\.0\.1:\d+\/, direct to 127\.0\.0\.1: answered HTTP 200, in \d+ ms$/m);
      assert.match(accepted.stdout, /^ok {3}Website App: WeChat accepts the AppID wx_web_app and its AppSecret$/m);
      const refused = await answer(JSON.stringify({ ...config, appSecret: 'not-the-secret-0123' }), { LOGTO_WECHAT_API_BASE_URL: mock.url });
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /^FAIL Website App: WeChat refuses the AppSecret given for the AppID wx_web_app \(errcode 40125: invalid appsecret, rid: \w+\)$/m);
      assert.ok(!`${refused.stdout}${refused.stderr}`.includes('not-the-secret-0123'));
      assert.ok(!`${accepted.stdout}${accepted.stderr}`.includes(config.appSecret));
    } finally {
      await rm(instance, { recursive: true, force: true });
    }
  });

  test("the Dockerfile's RUN, in the image's working directory with the COPY done, does the same, check included", async () => {
    const dockerfile = await readFile(path.join(root, 'docs/docker/Dockerfile'), 'utf8');
    const instructions = (text) => text.split('\n').filter((line) => line.trim() && !line.startsWith('#')).join('\n');
    assert.equal(instructions(dockerfile), instructions(dockerfileInReadme), 'README shows docs/docker/Dockerfile');
    const from = dockerfile.match(/^FROM (\S+)$/m)[1];
    assert.match(from, /^svhd\/logto:/);
    const [, source, destination] = dockerfile.match(/^COPY (\S+) (\S+)$/m);
    const runCommand = dockerfile.match(/^RUN ([\s\S]*?[^\\])$/m)[1];
    assert.ok(runCommand.includes(`&& node ${checkPath} \\\n`), 'the check runs right after connector add, so a failing check fails the build');
    const { instance, connectors } = await makeInstance({ official: true });
    const copied = await mkdtemp(path.join(tmpdir(), 'docker-copy-'));
    try {
      assert.equal(source, path.basename(tarball.path));
      await copyFile(tarball.path, path.join(copied, source));
      const { stdout } = await runReadme(runCommand, instance, { [destination]: `${copied}/` });
      assert.match(stdout, /^ok {3}Logto's loader: /m);
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
  test('holds the entry, the binding, the native binaries, logo, README, CHANGELOG, guide and LICENSE only', () => {
    const files = [...tarball.files].sort();
    const nativeFiles = files.filter((f) => f.endsWith('.node'));
    assert.ok(nativeFiles.length >= 1);
    for (const file of nativeFiles) {
      assert.match(file, /^connector-wechat-web\.(linux-(x64|arm64)-(gnu|musl)|darwin-(x64|arm64)|win32-x64-gnu)\.node$/);
    }
    assert.deepEqual(
      files.filter((f) => !f.endsWith('.node')),
      [
        'CHANGELOG.md',
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
