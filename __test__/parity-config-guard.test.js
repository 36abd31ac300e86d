// Differential test of configGuard: the official zod schema and our Rust validator get the same
// inputs; success, data (including keys present with `undefined`), and errors must match.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createBoth } from './helpers/connectors.js';

const { official, ours } = await createBoth();

class WithProto {
  constructor() {
    this.appSecret = 'own';
  }
}
WithProto.prototype.appId = 'inherited';

const withGetter = {
  get appId() {
    return 'from-getter';
  },
  appSecret: 's',
};

const inputs = [
  ['minimal', { appId: 'wx', appSecret: 's' }],
  ['with scope', { appId: 'wx', appSecret: 's', scope: 'snsapi_login' }],
  ['empty strings', { appId: '', appSecret: '', scope: '' }],
  ['scope undefined is kept as a key', { appId: 'wx', appSecret: 's', scope: undefined }],
  ['unknown keys are stripped', { appId: 'wx', appSecret: 's', extra: 1, nested: { a: 1 } }],
  ['key order follows the schema', { scope: 'snsapi_login', appSecret: 's', appId: 'wx' }],
  ['unicode and lone surrogates', { appId: '微信😀', appSecret: 'a\uD800b' }],
  ['empty object', {}],
  ['missing appSecret', { appId: 'wx' }],
  ['numeric appId', { appId: 1, appSecret: 's' }],
  ['NaN appId', { appId: Number.NaN, appSecret: 's' }],
  ['boolean appSecret', { appId: 'wx', appSecret: true }],
  ['null scope', { appId: 'wx', appSecret: 's', scope: null }],
  ['array scope', { appId: 'wx', appSecret: 's', scope: ['a'] }],
  ['object scope', { appId: 'wx', appSecret: 's', scope: {} }],
  ['bigint appId', { appId: 10n, appSecret: 's' }],
  ['symbol appId', { appId: Symbol('x'), appSecret: 's' }],
  ['function appId', { appId: () => 'x', appSecret: 's' }],
  ['date appId', { appId: new Date(0), appSecret: 's' }],
  ['map appId', { appId: new Map(), appSecret: 's' }],
  ['set appId', { appId: new Set(), appSecret: 's' }],
  ['promise appId', { appId: Promise.resolve('x'), appSecret: 's' }],
  ['thenable appId', { appId: { then() {}, catch() {} }, appSecret: 's' }],
  ['boxed string appId', { appId: new String('x'), appSecret: 's' }],
  ['everything wrong', { appId: null, appSecret: undefined, scope: 0 }],
  ['inherited property', new WithProto()],
  ['getter', withGetter],
  ['null-prototype object', Object.assign(Object.create(null), { appId: 'a', appSecret: 'b' })],
  ['null', null],
  ['undefined', undefined],
  ['string', 'appId'],
  ['number', 42],
  ['NaN', Number.NaN],
  ['boolean', false],
  ['array', [{ appId: 'a', appSecret: 'b' }]],
  ['date', new Date()],
  ['map', new Map([['appId', 'a']])],
  ['set', new Set()],
  ['promise', Promise.resolve({})],
  ['function', () => ({})],
  ['bigint', 1n],
  ['symbol', Symbol('config')],
  ['regexp', /x/],
  ['error object', new Error('x')],
];

describe('configGuard: official zod schema and ours agree', () => {
  for (const [name, input] of inputs) {
    test(name, async () => {
      const expected = official.configGuard.safeParse(input);
      const actual = ours.configGuard.safeParse(input);
      assert.equal(actual.success, expected.success);
      if (expected.success) {
        // Strict: keys present with `undefined` must be present in ours too.
        assert.deepStrictEqual(actual.data, expected.data);
        assert.deepStrictEqual(Object.keys(actual.data), Object.keys(expected.data));
        assert.deepStrictEqual(ours.configGuard.parse(input), official.configGuard.parse(input));
        assert.deepStrictEqual(await ours.configGuard.parseAsync(input), await official.configGuard.parseAsync(input));
      } else {
        assert.equal(JSON.stringify(actual.error), JSON.stringify(expected.error));
        assert.equal(actual.error.message, expected.error.message);
        assert.equal(actual.error.name, 'ZodError');
        assert.deepStrictEqual(actual.error.issues, expected.error.issues);
        assert.deepStrictEqual(actual.error.flatten(), expected.error.flatten());
        assert.throws(
          () => ours.configGuard.parse(input),
          (error) => error.name === 'ZodError' && error.message === expected.error.message
        );
        const asyncResult = await ours.configGuard.safeParseAsync(input);
        assert.equal(asyncResult.success, false);
        await assert.rejects(ours.configGuard.parseAsync(input), { name: 'ZodError' });
      }
    });
  }
});

describe('configGuard: the QR scope is snsapi_login (a deliberate difference)', () => {
  // WeChat's QR page answers any other scope with "Scope 参数错误"; the official guard takes any
  // string, so the admin only learns it from a broken sign-in page.
  for (const scope of ['snsapi_userinfo', 'snsapi_base', 'snsapi_login,snsapi_userinfo', 'x']) {
    test(`${JSON.stringify(scope)}: the official guard accepts it, ours names snsapi_login`, () => {
      const input = { appId: 'wx', appSecret: 's', scope };
      assert.equal(official.configGuard.safeParse(input).success, true);
      const result = ours.configGuard.safeParse(input);
      assert.equal(result.success, false);
      assert.equal(result.error.issues.length, 1);
      const [issue] = result.error.issues;
      assert.equal(issue.code, 'custom');
      assert.deepEqual(issue.path, ['scope']);
      assert.match(issue.message, /WeChat's QR login accepts only the scope snsapi_login/);
      assert.match(issue.message, /officialAccountScope/);
      assert.throws(() => ours.configGuard.parse(input), /accepts only the scope snsapi_login/);
    });
  }

  test('snsapi_login and the empty string (the default) pass, as in the official guard', () => {
    for (const scope of ['snsapi_login', '']) {
      const input = { appId: 'wx', appSecret: 's', scope };
      assert.deepEqual(ours.configGuard.safeParse(input), official.configGuard.safeParse(input));
    }
  });
});

describe('configGuard: the Official Account keys (our addition)', () => {
  test('are kept, validated, and must come in pairs', () => {
    const base = { appId: 'wx', appSecret: 's' };
    const full = { ...base, officialAccountAppId: 'wxoa', officialAccountAppSecret: 'oas', officialAccountScope: 'snsapi_userinfo' };
    assert.deepStrictEqual(ours.configGuard.safeParse(full), { success: true, data: full });
    const lonely = ours.configGuard.safeParse({ ...base, officialAccountAppId: 'wxoa' });
    assert.equal(lonely.success, false);
    assert.deepEqual(lonely.error.issues[0].path, ['officialAccountAppSecret']);
    const badScope = ours.configGuard.safeParse({ ...full, officialAccountScope: 'snsapi_base' });
    assert.equal(badScope.error.issues[0].code, 'invalid_enum_value');
    assert.deepEqual(badScope.error.issues[0].options, ['snsapi_userinfo'], 'snsapi_base never gives a unionid');
    const wrongType = ours.configGuard.safeParse({ ...full, officialAccountAppSecret: 5 });
    assert.equal(wrongType.error.issues[0].message, 'Expected string, received number');
  });
});

describe('configGuard reads each property once', () => {
  test('a getter is called once, and data holds the very value it returned', () => {
    const reads = {};
    let next = 0;
    const config = {};
    for (const key of ['appId', 'appSecret', 'scope']) {
      Object.defineProperty(config, key, {
        enumerable: true,
        get() {
          reads[key] = (reads[key] ?? 0) + 1;
          next += 1;
          return key === 'scope' ? 'snsapi_login' : `${key}-${next}`;
        },
      });
    }
    const result = ours.configGuard.safeParse(config);
    assert.deepEqual(reads, { appId: 1, appSecret: 1, scope: 1 });
    assert.deepEqual(result, { success: true, data: { appId: 'appId-1', appSecret: 'appSecret-2', scope: 'snsapi_login' } });
  });

  test('a getter that returns a string once and a number after cannot pass for valid', () => {
    let calls = 0;
    const config = {
      appSecret: 's',
      get appId() {
        calls += 1;
        return calls === 1 ? 'wx' : 42;
      },
    };
    const result = ours.configGuard.safeParse(config);
    assert.equal(result.success, true);
    assert.equal(result.data.appId, 'wx', 'the value checked is the value returned');
    assert.equal(calls, 1);
  });
});
