// `npm test`: builds if needed, runs the Rust tests, then every Node suite on Logto's runtime
// (Node 22). The Logto loader and release smoke suites also run the connector on Node 20, 24
// and 26.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureLogtoNode, ensureNode, nodeReleases } from './lib/node.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
};

run(process.execPath, ['scripts/ensure-build.js']);
run('cargo', ['test', '--release', '--workspace', '--quiet']);
const node22 = ensureLogtoNode();
// The other supported Nodes, for the loader and smoke suites, installed before any suite runs.
Object.keys(nodeReleases).forEach(ensureNode);
const only = process.argv.slice(2);
const suites = readdirSync(path.join(root, '__test__'))
  .filter((file) => file.endsWith('.test.js'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort()
  .map((file) => path.join('__test__', file));
console.log(`node --test on ${spawnSync(node22, ['--version']).stdout.toString().trim()}: ${suites.length} suites`);
run(node22, ['--test', '--test-concurrency=1', ...suites]);
