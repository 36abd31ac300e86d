// The typings users read: the generated index.d.ts (with connector-kit's parameter types) and
// lib/index.d.ts compile against the host's @logto/connector-kit, and say what the binding and
// the Logto entry export.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { root } from '../scripts/lib/logto-instance.js';

const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

test('index.d.ts and lib/index.d.ts type-check, strictly', async () => {
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', 'index.d.ts', 'lib/index.d.ts'];
  await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: root });
});

test("the binding's functions take connector-kit's parameters", () => {
  const typings = readFileSync(path.join(root, 'index.d.ts'), 'utf8');
  for (const signature of [
    'getAuthorizationUri(payload: AuthorizationUriPayload, setSession: SetSession, config: unknown): Promise<AuthorizationUriResult>',
    'signIn(data: unknown, getSession: GetSession, config: unknown): Promise<SignInResult>',
    'getAccessTokenByRefreshToken(refreshToken: string, config: unknown): Promise<RefreshResult>',
    'getAccessToken(code: string, config: unknown): Promise<AccessTokenResult>',
    'checkWechat(config: unknown): Promise<CheckResult>',
    'validateConfig(value: unknown): ConfigResult',
  ]) {
    assert.ok(typings.includes(`export declare function ${signature}`), signature);
  }
  // Each answers with one result: the value, or `error` (never a bare value or a second shape).
  for (const result of ['AuthorizationUriResult', 'SignInResult', 'RefreshResult', 'AccessTokenResult', 'CheckResult']) {
    assert.match(typings, new RegExp(`export interface ${result} \\{[^}]*\\berror\\?: Failure\\n\\}`), result);
  }
  // connector-kit's payload is assignable to what the binding reads of it.
  assert.match(typings, /export interface AuthorizationUriPayload \{\n {2}state\?: string\n {2}redirectUri\?: string\n {2}scope\?: string\n {2}headers\?: RequestHeaders\n\}/);
  assert.match(typings, /expires_in\?: number/);
  assert.doesNotMatch(typings, /: any\b/, 'no `any` in what users read');
});
