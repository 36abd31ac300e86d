// The install check (lib/check.js) as an admin runs it, in its own process: what it says of the
// package, of the host and, given the connector's config, of WeChat (here the mock): each
// errcode, a WeChat that cannot be reached, a proxy, a bad config. One line per check, exit 0 only
// when all pass, and no secret in what it prints.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import semver from 'semver';

import { satisfies } from '../lib/versions.js';
import { caFile, paths, startMockWeChat } from '../mock/wechat-server.js';
import { connectorAdd, makeInstance, node22, packTarball, root } from '../scripts/lib/logto-instance.js';
import { freePort } from '../scripts/lib/ports.js';
import { startForwardProxy } from './helpers/forward-proxy.js';

const web = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
const account = { officialAccountAppId: 'wx_oa_app', officialAccountAppSecret: 'oa secret !*\'()-~.0123' };
const secrets = [web.appSecret, account.officialAccountAppSecret, 'proxypass', 'gatewaypass'];

let mock;
let tlsMock;
let proxy;
let workdir;
before(async () => {
  const apps = { [web.appId]: web.appSecret, [account.officialAccountAppId]: account.officialAccountAppSecret };
  mock = await startMockWeChat({ apps });
  tlsMock = await startMockWeChat({ apps, tls: 'trusted' });
  proxy = await startForwardProxy();
  workdir = await mkdtemp(path.join(tmpdir(), 'install-check-'));
});
after(async () => {
  await mock.close();
  await tlsMock.close();
  await proxy.close();
  await rm(workdir, { recursive: true, force: true });
});

/** Runs a check.js with the given arguments, environment and standard input. */
const check = (args = [], { env = {}, input, script = path.join(root, 'lib/check.js') } = {}) =>
  new Promise((resolve) => {
    const child = execFile(node22, [script, ...args], { env: { ...process.env, LOGTO_WECHAT_API_BASE_URL: mock.url, ...env } }, (error, stdout, stderr) => {
      for (const secret of secrets) {
        assert.ok(!`${stdout}${stderr}`.includes(secret), `a secret in the output:\n${stdout}${stderr}`);
      }
      resolve({ code: error?.code ?? 0, stdout, stderr, lines: stdout.trim().split('\n') });
    });
    if (input === undefined) child.stdin.end();
    else child.stdin.end(input);
  });
const withConfig = (config, options) => check(['--config', '-'], { ...options, input: JSON.stringify(config) });
const line = (result, name) => result.lines.find((text) => text.slice(5).startsWith(`${name}: `));

describe('loading, as Logto will', () => {
  test('in this checkout: one line per check, each passing, exit 0, no input read', async () => {
    // Without --config the check reads nothing: an open standard input does not hold it.
    const result = await new Promise((resolve) => {
      const child = execFile(node22, [path.join(root, 'lib/check.js')], (error, stdout) => resolve({ code: error?.code ?? 0, stdout }));
      setTimeout(() => child.stdin.end(), 20_000).unref();
    });
    assert.equal(result.code, 0);
    const lines = result.stdout.trim().split('\n');
    assert.deepEqual(
      lines.map((text) => text.slice(0, text.indexOf(':'))),
      ['ok   Node', 'ok   native binary', 'ok   @logto/connector-kit', "ok   Logto's loader"]
    );
    assert.match(lines[0], /^ok {3}Node: v22\.\d+\.\d+; this connector supports >=20$/);
    assert.match(lines[2], /; this connector needs \^4\.0\.0 \|\| \^5\.0\.0$/);
  });

  test("outside Logto, without the host's @logto/connector-kit: it says so and fails", async () => {
    const tarball = await packTarball(workdir);
    const folder = path.join(workdir, 'unpacked');
    await new Promise((resolve, reject) => execFile('sh', ['-c', `mkdir -p "${folder}" && tar -xzf "${tarball.path}" -C "${folder}"`], (error) => (error ? reject(error) : resolve())));
    const result = await check([], { script: path.join(folder, 'package/lib/check.js') });
    assert.equal(result.code, 1);
    assert.match(line(result, '@logto/connector-kit'), /^FAIL @logto\/connector-kit: not found from .*; Logto provides it to its connectors$/);
    assert.equal(line(result, "Logto's loader"), undefined, 'nothing to load it with');
  });

  /** Runs the check in a Logto-like instance with our tarball added, after `edit(core, folder)`. */
  const checkInstalled = async (edit) => {
    const { instance, core } = await makeInstance();
    try {
      await connectorAdd(node22, (await packTarball(workdir)).path, instance);
      const folder = path.join(core, 'connectors/connector-wechat-web-rs');
      await edit(core, folder);
      return await check([], { script: path.join(folder, 'lib/check.js') });
    } finally {
      await rm(instance, { recursive: true, force: true });
    }
  };
  const editJson = async (file, change) => writeFile(file, JSON.stringify(change(JSON.parse(await readFile(file, 'utf8')))));

  test("a host whose @logto/connector-kit is outside the connector's range", async () => {
    const result = await checkInstalled((core) =>
      editJson(path.join(core, 'node_modules/@logto/connector-kit/package.json'), (kit) => ({ ...kit, version: '3.2.1' }))
    );
    assert.equal(result.code, 1);
    assert.match(line(result, '@logto/connector-kit'), /^FAIL @logto\/connector-kit: 3\.2\.1 at .*; this connector needs \^4\.0\.0 \|\| \^5\.0\.0$/);
  });

  test("a Node outside the package's engines", async () => {
    const result = await checkInstalled((core, folder) => editJson(path.join(folder, 'package.json'), (manifest) => ({ ...manifest, engines: { node: '>=99' } })));
    assert.equal(result.code, 1);
    assert.match(line(result, 'Node'), /^FAIL Node: v22\.\d+\.\d+; this connector supports >=99$/);
    assert.match(line(result, "Logto's loader"), /^ok /, 'the other checks still run');
  });

  for (const [why, file, from, to, refusal] of [
    [
      "a type the host's connector-kit does not know",
      (core) => path.join(core, 'node_modules/@logto/connector-kit/lib/types/foundation.js'),
      'ConnectorType["Social"] = "Social"',
      'ConnectorType["Social"] = "SocialSignIn"',
      "its type Social is none of the host's connector types (Email, Sms, SocialSignIn)",
    ],
    ['no metadata', (core, folder) => path.join(folder, 'lib/index.js'), "    metadata,\n    type: 'Social',", "    type: 'Social',", 'it has no metadata'],
  ]) {
    test(`a connector Logto's loader would refuse (${why})`, async () => {
      const result = await checkInstalled(async (core, folder) => {
        const edited = file(core, folder);
        const text = await readFile(edited, 'utf8');
        assert.ok(text.includes(from));
        await writeFile(edited, text.replace(from, to));
      });
      assert.equal(result.code, 1);
      assert.equal(line(result, "Logto's loader"), `FAIL Logto's loader: Logto would not load it: ${refusal}`);
    });
  }

  test('version ranges are read as npm reads them (the manifest says which)', async () => {
    const { engines, dependencies } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    const ranges = [engines.node, dependencies['@logto/connector-kit'], '>=22.14 <23', '^22.14.0', '22.23.5'];
    const versions = ['v18.20.4', '19.0.0', 'v20.0.0', '20.20.2', '21.7.3', '22.13.9', '22.14.0', 'v22.23.5', '23.0.0', '24.22.3', 'v24.0.0-nightly20250401abcdef', '26.12.1', '3.9.9', '4.0.0', '4.7.0', '5.1.1', '5.0.0-beta.1', '6.0.0'];
    for (const range of ranges) {
      for (const version of versions) {
        assert.equal(satisfies(version, range), semver.satisfies(semver.coerce(version), range), `${version} in ${range}`);
      }
    }
    assert.throws(() => satisfies('1.0.0', '~1.2'), /cannot read the version range/);
  });
});

describe('will sign-in work? asked of the mock WeChat', () => {
  test('accepted credentials, Website App and Official Account: every line ok, exit 0', async () => {
    mock.reset();
    const result = await withConfig({ ...web, ...account });
    assert.equal(result.code, 0, result.stdout);
    assert.match(line(result, 'WeChat API'), /^ok {3}WeChat API: http:\/\/127\.0\.0\.1:\d+\/, direct to 127\.0\.0\.1: answered HTTP 200, in \d+ ms$/);
    assert.equal(line(result, 'Website App'), 'ok   Website App: WeChat accepts the AppID wx_web_app and its AppSecret');
    assert.equal(line(result, 'Official Account'), 'ok   Official Account: WeChat accepts the AppID wx_oa_app and its AppSecret');
    // It asked with a made-up code, with each app's own credentials.
    const exchanges = mock.requests.map((request) => new URLSearchParams(request.query)).filter((query) => query.get('appid'));
    assert.deepEqual(exchanges.map((query) => query.get('appid')), ['wx_web_app', 'wx_oa_app']);
    assert.ok(exchanges.every((query) => query.get('code') === 'connector-wechat-web-rs-install-check'));
  });

  test('40013: the AppID is named; 40125: the AppSecret; exit 1', async () => {
    const wrongId = await withConfig({ ...web, appId: 'wx_typo' });
    assert.equal(wrongId.code, 1);
    assert.match(line(wrongId, 'Website App'), /^FAIL Website App: WeChat knows no app with the AppID wx_typo \(errcode 40013: invalid appid, rid: \w+\)$/);
    const wrongSecret = await withConfig({ ...web, ...account, officialAccountAppSecret: `${account.officialAccountAppSecret}x` });
    assert.equal(wrongSecret.code, 1);
    assert.match(line(wrongSecret, 'Website App'), /^ok /);
    assert.match(line(wrongSecret, 'Official Account'), /^FAIL Official Account: WeChat refuses the AppSecret given for the AppID wx_oa_app \(errcode 40125: invalid appsecret, rid: \w+\)$/);
  });

  test('any other errcode is shown as WeChat sent it, an echoed secret redacted in any encoding', async () => {
    const echoed = encodeURIComponent(account.officialAccountAppSecret);
    mock.reply(paths.accessToken, 200, { errcode: 40164, errmsg: `invalid ip 203.0.113.9, not in whitelist, secret=${echoed}` });
    try {
      const result = await withConfig({ ...web, ...account });
      assert.equal(result.code, 1);
      assert.equal(line(result, 'Website App'), 'FAIL Website App: WeChat answered the AppID wx_web_app with errcode 40164: invalid ip 203.0.113.9, not in whitelist, secret=[redacted]');
      assert.match(line(result, 'Official Account'), /^FAIL Official Account: WeChat answered the AppID wx_oa_app with errcode 40164: /);
    } finally {
      mock.reset();
    }
  });

  test('an exchange that succeeds means the credentials were accepted', async () => {
    mock.reply(paths.accessToken, 200, { access_token: 'ACCESS_TOKEN_FOR_A_REAL_CODE', openid: 'o', expires_in: 7200 });
    try {
      const result = await withConfig(web);
      assert.equal(result.code, 0, result.stdout);
      assert.ok(!result.stdout.includes('ACCESS_TOKEN_FOR_A_REAL_CODE'));
    } finally {
      mock.reset();
    }
  });

  test('a WeChat that cannot be reached: the API line says why, every app fails, exit 1', async () => {
    const port = await freePort();
    const result = await withConfig(web, { env: { LOGTO_WECHAT_API_BASE_URL: `http://gatewayuser:gatewaypass@127.0.0.1:${port}` } });
    assert.equal(result.code, 1);
    assert.match(line(result, 'WeChat API'), new RegExp(`^FAIL WeChat API: http://127\\.0\\.0\\.1:${port}/, direct to 127\\.0\\.0\\.1: no answer: WeChat access_token endpoint: could not connect: .*Connection refused.*, in \\d+ ms$`));
    assert.match(line(result, 'Website App'), /^FAIL Website App: no answer for the AppID wx_web_app: WeChat access_token endpoint: could not connect: /);
    assert.ok(!result.stdout.includes('gatewayuser'));
  });

  test('a host name that does not resolve', async () => {
    const result = await withConfig(web, { env: { LOGTO_WECHAT_API_BASE_URL: 'https://wechat-gateway.invalid' } });
    assert.equal(result.code, 1);
    assert.match(line(result, 'WeChat API'), /^FAIL WeChat API: https:\/\/wechat-gateway\.invalid\/, direct: its host name did not resolve: .+, in \d+ ms$/);
  });

  test('through a proxy: the line names it (without its credentials), and the tunnel is how WeChat was reached', async () => {
    proxy.seen.length = 0;
    const proxyWithCredentials = proxy.url.replace('http://', 'http://proxyuser:proxypass@');
    const env = { HTTPS_PROXY: proxyWithCredentials, NODE_EXTRA_CA_CERTS: caFile, LOGTO_WECHAT_API_BASE_URL: tlsMock.url };
    const result = await withConfig({ ...web, ...account }, { env });
    assert.equal(result.code, 0, result.stdout);
    assert.match(line(result, 'WeChat API'), new RegExp(`^ok {3}WeChat API: https://127\\.0\\.0\\.1:\\d+/, through the proxy ${proxy.url.replaceAll('.', '\\.')}: answered HTTP 200 over TLS, in \\d+ ms$`));
    assert.ok(!result.stdout.includes('proxyuser'));
    assert.ok(proxy.seen.length >= 1 && proxy.seen.every((seen) => seen === `CONNECT ${new URL(tlsMock.url).host}`), proxy.seen.join(', '));
    // NO_PROXY names the host: direct again.
    const direct = await withConfig(web, { env: { ...env, NO_PROXY: '127.0.0.1' } });
    assert.match(line(direct, 'WeChat API'), /, direct to 127\.0\.0\.1: answered HTTP 200 over TLS, /);
  });

  test('a config the guard refuses, or not JSON: one failing line, no secret, nothing asked of WeChat', async () => {
    const requests = mock.requests.length;
    const invalid = await withConfig({ appId: 'wx_web_app', appSecret: 5, officialAccountAppId: 'wx_oa_app' });
    assert.equal(invalid.code, 1);
    assert.equal(line(invalid, 'config'), 'FAIL config: appSecret: Expected string, received number');
    // Not JSON: where the parser stopped (lines end as a file or a terminal ends them), never the text.
    const text = `{"appId": "wx",\r\n"appSecret": "${web.appSecret}",\r"scope": "snsapi_login" oops`;
    const broken = await check(['--config', '-'], { input: text });
    assert.equal(broken.code, 1);
    assert.equal(line(broken, 'config'), `FAIL config: not valid JSON (line 3, column ${'"scope": "snsapi_login" '.length + 1})`);
    const unexpected = await check(['--config', '-'], { input: `{"appSecret": ${web.appSecret}}` });
    assert.equal(line(unexpected, 'config'), 'FAIL config: not valid JSON');
    const empty = await check(['--config', '-'], { input: '\n' });
    assert.equal(empty.code, 1);
    assert.equal(line(empty, 'config'), "FAIL config: empty: give the JSON object Logto's console saves");
    // The connector as the Management API returns it, pasted whole: the line says what to give.
    const connector = await withConfig({ id: 'wechat-web', config: web });
    assert.equal(connector.code, 1);
    assert.equal(line(connector, 'config'), 'FAIL config: appId: Required; appSecret: Required (this is the whole connector: give its `config`)');
    assert.equal(mock.requests.length, requests);
  });

  test('--config - on a terminal, as README has the admin paste it: the config is not shown, Ctrl-D ends it, Ctrl-C gives up', async () => {
    // A terminal of its own (util-linux's `script`); what it shows is `script`'s output. Keys are
    // typed once the prompt is up, as a person would: Enter is `\r` there, DEL a backspace.
    const typed = async (keys) => {
      const child = spawn('script', ['-qefc', `"${node22}" "${path.join(root, 'lib/check.js')}" --config -`, '/dev/null'], {
        env: { ...process.env, LOGTO_WECHAT_API_BASE_URL: mock.url },
        // A key not honoured leaves the check waiting for more: ended here, it fails below.
        timeout: 60_000,
      });
      let screen = '';
      child.stdout.on('data', (chunk) => {
        screen += chunk;
        if (screen.includes('then press Ctrl-D:') && !child.stdin.writableEnded) child.stdin.end(keys);
      });
      const code = await new Promise((resolve) => child.on('exit', resolve));
      for (const secret of secrets) assert.ok(!screen.includes(secret), `a secret on the screen:\n${screen}`);
      return { code, screen, lines: screen.trim().split('\r\n') };
    };
    const pasted = `{"appId": "wx_web_app",\r "appSecret": "${web.appSecret}x\u007f"}\r`;
    const accepted = await typed(`${pasted}\u0004`);
    assert.equal(accepted.code, 0, accepted.screen);
    assert.equal(accepted.lines.at(-3), "Paste the connector's config (JSON; it is not shown), then press Ctrl-D:");
    assert.equal(line(accepted, 'Website App'), 'ok   Website App: WeChat accepts the AppID wx_web_app and its AppSecret');
    const interrupted = await typed('{"appId": "wx_w\u0003');
    assert.equal(interrupted.code, 1);
    assert.equal(interrupted.lines.at(-1), 'FAIL config: interrupted (Ctrl-C)');
  });

  test('a mistyped command: what is wrong and the usage, exit 2, nothing checked; --help: the usage, exit 0', async () => {
    const usage = "usage: node <the connector's folder>/lib/check.js [--config <file> | --config -]";
    for (const [args, why] of [
      [['--config'], "Option '--config <value>' argument missing"],
      [['--confg', '-'], "Unknown option '--confg'"],
      [['config.json'], "Unexpected argument 'config.json'"],
    ]) {
      const result = await check(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stdout, '');
      const [first, ...rest] = result.stderr.trim().split('\n');
      assert.ok(first.startsWith(why), result.stderr);
      assert.deepEqual(rest, [usage]);
    }
    for (const args of [['--help'], ['-h']]) {
      const help = await check(args);
      assert.equal(help.code, 0);
      assert.equal(help.lines[0], usage);
      assert.match(help.stdout, /Exit 0 only when every check passes\.\n$/);
    }
  });

  test('--config <file> reads the file, as a Windows editor saves it too (a BOM first)', async () => {
    const file = path.join(workdir, 'wechat.json');
    await writeFile(file, JSON.stringify(web));
    const result = await check(['--config', file]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(line(result, 'Website App'), /^ok /);
    await writeFile(file, `\uFEFF${JSON.stringify(web, null, 2).replaceAll('\n', '\r\n')}\r\n`);
    const saved = await check(['--config', file]);
    assert.equal(saved.code, 0, saved.stdout);
    assert.match(line(saved, 'Website App'), /^ok /);
  });
});
