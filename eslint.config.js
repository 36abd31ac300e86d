// The JS linter for everything written by hand: the Logto entry, the binding's reader (src/binding),
// scripts, tests, demo, mock and benchmark. The generated loader (index.js) is napi-rs's and is
// checked for staleness instead.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['index.js', 'node_modules/', 'target/', '.cache/', '.bench/'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    files: ['demo/pages.js', '__test__/demo-browser.test.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
