// The demo, started as README has it (`npm start`), driven in headless Chromium: a desktop sign-in,
// the in-WeChat flow, and error cases, through the real demo process, Logto's loader and the mock
// WeChat. Saves a screenshot of the signed-in page to __test__/artifacts/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { root } from '../scripts/lib/logto-instance.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = path.join(root, '__test__/artifacts');
const wechatIos =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323d) NetType/WIFI Language/zh_CN';

let demo;
let demoUrl;
let browser;
const groupAlive = () => {
  try {
    process.kill(-demo.pid, 0);
    return true;
  } catch {
    return false;
  }
};

before(async () => {
  assert.ok(existsSync(executablePath), `Chromium is needed at ${executablePath} (apt-get install chromium)`);
  mkdirSync(artifacts, { recursive: true });
  // Its own process group, as a terminal's job: Ctrl-C reaches npm and the demo alike.
  demo = spawn('npm', ['start'], { cwd: root, detached: true, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: demo.stdout })) {
    const match = /Open (http:\/\/\S+)/.exec(line);
    if (match) {
      demoUrl = match[1];
      break;
    }
  }
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (groupAlive()) {
    process.kill(-demo.pid, 'SIGKILL');
  }
});

const newPage = async (userAgent) => {
  const context = await browser.newContext({ userAgent, viewport: { width: 900, height: 1100 } });
  return context.newPage();
};

describe('the demo in Chromium', () => {
  test('desktop: QR page, scan, signed in, token response, refresh', async () => {
    const page = await newPage();
    await page.goto(demoUrl);
    await page.check('#tokens');
    await page.click('#sign-in');
    await page.waitForURL(/\/connect\/qrconnect\?/);
    assert.match(page.url(), /appid=wx_demo_website&redirect_uri=http%3A%2F%2Flocalhost/);
    await page.click('#scan-confirm');
    await page.waitForSelector('#signed-in');
    assert.equal(await page.textContent('#signed-in h1'), 'Signed in as WeChat user alice');
    assert.equal(await page.textContent('#flow'), 'qr_code');
    const userInfo = JSON.parse(await page.textContent('#user-info'));
    assert.equal(userInfo.id, 'unionid-alice');
    assert.equal(userInfo.rawData.openid, 'openid-wx_demo_website-alice');
    const tokens = JSON.parse(await page.textContent('#token-response'));
    assert.match(tokens.access_token, /^ACCESS_/);
    assert.match(await page.textContent('#steps'), /check state.*getTokenResponseAndUserInfo/s);
    assert.match(await page.textContent('#authorization-uri'), /^https:\/\/open\.weixin\.qq\.com\/connect\/qrconnect\?/);
    await page.screenshot({ path: path.join(artifacts, 'signed-in.png'), fullPage: true });

    await page.click('#refresh');
    await page.waitForSelector('#refreshed');
    const refreshed = JSON.parse(await page.textContent('#token-response'));
    assert.notEqual(refreshed.access_token, tokens.access_token);
    await page.context().close();
  });

  test('inside WeChat (user agent): the Official Account consent page, then signed in', async () => {
    const page = await newPage(wechatIos);
    await page.goto(demoUrl);
    await page.click('#sign-in');
    await page.waitForURL(/\/connect\/oauth2\/authorize\?appid=wx_demo_official&/);
    assert.match(page.url(), /#wechat_redirect$/);
    await page.click('#allow');
    await page.waitForSelector('#signed-in');
    assert.equal(await page.textContent('#flow'), 'official_account');
    const userInfo = JSON.parse(await page.textContent('#user-info'));
    assert.equal(userInfo.id, 'unionid-bob');
    assert.equal(userInfo.rawData.appid, 'wx_demo_official');
    await page.screenshot({ path: path.join(artifacts, 'signed-in-wechat.png'), fullPage: true });
    await page.context().close();
  });

  test('the "inside WeChat" toggle replays the other flow from a desktop browser', async () => {
    const page = await newPage();
    await page.goto(demoUrl);
    await page.check('#inWeChat');
    await page.click('#sign-in');
    await page.waitForURL(/\/connect\/oauth2\/authorize\?.*scope=snsapi_userinfo/);
    await page.click('#allow');
    await page.waitForSelector('#signed-in');
    const userInfo = JSON.parse(await page.textContent('#user-info'));
    assert.equal(userInfo.id, 'unionid-bob');
    assert.equal(userInfo.rawData.appid, 'wx_demo_official');
    await page.context().close();
  });

  test('error case unbound: the Official Account sign-in without unionid is refused, and says what to fix', async () => {
    const page = await newPage();
    await page.goto(demoUrl);
    await page.selectOption('#case', 'unbound');
    await page.click('#sign-in');
    await page.waitForURL(/\/connect\/oauth2\/authorize\?/);
    await page.click('#allow');
    await page.waitForSelector('#error');
    assert.equal(await page.textContent('#error-code'), 'general');
    assert.equal(await page.textContent('#error-status'), 'HTTP 400');
    const text = await page.textContent('#error');
    assert.match(text, /gave no unionid/);
    assert.match(text, /bind the Official Account/);
    assert.ok(!text.includes('openid-wx_demo_official'), 'no sign-in under the Official Account openid');
    await page.context().close();
  });

  for (const [errorCase, code, status] of [
    ['expired', 'social_auth_code_invalid', 'HTTP 401'],
    ['bad-secret', 'general', 'HTTP 400'],
    ['revoked', 'social_invalid_access_token', 'HTTP 401'],
  ]) {
    test(`error case ${errorCase}: ConnectorError ${code}, ${status}`, async () => {
      const page = await newPage();
      await page.goto(demoUrl);
      await page.selectOption('#case', errorCase);
      await page.click('#sign-in');
      await page.waitForURL(/\/connect\/qrconnect\?/);
      await page.click('#scan-confirm');
      await page.waitForSelector('#error');
      assert.equal(await page.textContent('#error-code'), code);
      assert.equal(await page.textContent('#error-status'), status);
      assert.ok(!(await page.content()).includes('demo-website-secret'), 'no secret on the page');
      await page.context().close();
    });
  }

  test('a callback with a foreign state is refused', async () => {
    const page = await newPage();
    await page.goto(demoUrl);
    await page.goto(`${demoUrl}/callback?code=code-mallory~1&state=forged`);
    assert.equal(await page.textContent('#error-code'), 'state_mismatch');
    await page.context().close();
  });

  test('Ctrl-C stops the demo cleanly: no process left, the port closed', async () => {
    const exited = once(demo, 'exit', { signal: AbortSignal.timeout(10_000) });
    process.kill(-demo.pid, 'SIGINT');
    const [code, signal] = await exited.catch(() => assert.fail('`npm start` still runs 10 s after Ctrl-C'));
    // npm ends itself with the signal its script got; the script (demo/server.js) exits 0.
    assert.ok(code === 0 || signal === 'SIGINT', `npm start ended with ${code ?? signal}`);
    for (let waited = 0; groupAlive() && waited < 5000; waited += 50) {
      await delay(50);
    }
    assert.equal(groupAlive(), false, 'a process of `npm start` outlived Ctrl-C');
    await assert.rejects(fetch(demoUrl), /fetch failed/);
  });
});
