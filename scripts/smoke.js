// The release smoke test, run by the release workflow on each of the seven platforms and by
// `npm test` here (the release-smoke test), so a binding change that breaks it fails
// here first. It tests the package as Logto receives it: `npm pack` of this checkout, unpacked
// into a fresh folder with no node_modules (or the unpacked package given as the argument).
// There it loads the binding through the package's loader (lib/binding.js), validates a config,
// builds a URL, signs in against the mock WeChat, refreshes, and checks that a panic is a JS
// error.
//
//   node scripts/smoke.js [unpacked-package-folder]
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startMockWeChat } from '../mock/wechat-server.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** `npm pack` of this checkout, unpacked with `tar` into a new temporary folder. */
const unpackedPackage = () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'connector-smoke-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, shell: process.platform === 'win32' }).toString()
  );
  // npm's tarballs hold one folder, `package/` (plain -xzf: BusyBox's tar in Alpine has it too).
  execFileSync('tar', ['-xzf', packed.filename], { cwd: scratch });
  return { folder: path.join(scratch, 'package'), cleanUp: () => rmSync(scratch, { recursive: true, force: true }) };
};

const given = process.argv[2];
const { folder, cleanUp } = given ? { folder: path.resolve(given), cleanUp: () => {} } : unpackedPackage();
try {
  assert.ok(!existsSync(path.join(folder, 'node_modules')), 'the package is tested with nothing installed');
  const { binaryName, loadBinding, platformName } = await import(pathToFileURL(path.join(folder, 'lib/binding.js')).href);
  const file = binaryName(platformName(process));
  const binding = loadBinding();
  const addon = createRequire(import.meta.url)(path.join(folder, file));
  assert.equal(binding.signIn, addon.signIn, `the loader loaded ${file}`);
  const config = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
  const payload = (userAgent) => ({ state: 'st', redirectUri: 'https://x.io/cb', connectorId: 'c', connectorFactoryId: 'wechat-web', jti: 'j', headers: { userAgent } });
  const noSession = async () => ({});

  assert.deepEqual(binding.validateConfig(config).data, config);
  assert.equal(binding.validateConfig({}).issues.length, 2);
  const { url } = await binding.getAuthorizationUri(payload(undefined), async () => {}, config);
  assert.equal(url, 'https://open.weixin.qq.com/connect/qrconnect?appid=wx_web_app&redirect_uri=https%3A%2F%2Fx.io%2Fcb&response_type=code&scope=snsapi_login&state=st');

  // SMOKE_MOCK_PORT: where the caller already pointed LOGTO_WECHAT_API_BASE_URL. Under Bun,
  // setting process.env does not change the environment native code reads, so the variable must
  // be set before the runtime starts (scripts/platforms-test.js does so).
  const mock = await startMockWeChat({ port: Number(process.env.SMOKE_MOCK_PORT ?? 0) });
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
  try {
    const signedIn = await binding.signIn({ code: 'code-smoke~1' }, noSession, config);
    assert.equal(signedIn.error, undefined, JSON.stringify(signedIn.error));
    assert.equal(signedIn.userInfo.id, 'unionid-smoke');
    const refreshed = await binding.getAccessTokenByRefreshToken(signedIn.tokenResponse.refresh_token, config);
    assert.equal(refreshed.error, undefined, JSON.stringify(refreshed.error));
    assert.match(refreshed.tokenResponse.access_token, /^ACCESS_/);
    const failed = await binding.signIn({ code: 'expired' }, noSession, config);
    assert.equal(failed.error.code, 'social_auth_code_invalid');
  } finally {
    await mock.close();
  }

  assert.throws(() => binding.__panicProbe('sync'), /deliberate panic/);
  await assert.rejects(binding.__panicProbe('async'), /deliberate panic/);
  const runtime = process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.version}`;
  console.log(`smoke ok on ${platformName(process)} (${file}), ${runtime}, package ${given ? folder : 'packed from this checkout'}`);
} finally {
  cleanUp();
}
