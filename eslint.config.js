// The JS linter for everything written by hand: the Logto entry and its loader (lib/), scripts,
// tests, demo, mock and benchmark.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'target/', '.cache/', '.bench/'] },
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
