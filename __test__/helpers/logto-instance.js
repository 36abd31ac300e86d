// A minimal Logto instance on disk, as `logto connector add` and Logto's loader see one:
// packages/core/package.json named @logto/core, the host's own copy of @logto/connector-kit in
// packages/core/node_modules, and packages/core/connectors/.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { ensureNode22 } from '../../scripts/node22.js';

const run = promisify(execFile);

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const node22 = ensureNode22();
export const logtoCli = path.join(root, 'node_modules/@logto/cli/bin/logto.js');
export const hostScript = path.join(root, '__test__/fixtures/logto-host.js');

/** `npm pack` of this repository; resolves to the tarball's path. */
export const packTarball = async (destination) => {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [result] = JSON.parse(stdout);
  return { path: path.join(destination, result.filename), files: result.files.map((f) => f.path), size: result.size };
};

/**
 * A Logto instance folder. With `official`, laid out as Logto's Docker image and source installs
 * have it: the official package built in `packages/connectors/connector-wechat-web` and linked by
 * `logto connector link` as `packages/core/connectors/@logto-connector-wechat-web`, and
 * `@logto/cli` in the instance's own node_modules (so `npx @logto/cli` runs it, offline).
 */
export const makeInstance = async ({ official = false } = {}) => {
  const instance = await mkdtemp(path.join(tmpdir(), 'logto-instance-'));
  const core = path.join(instance, 'packages/core');
  const modules = path.join(core, 'node_modules');
  const connectors = path.join(core, 'connectors');
  await mkdir(connectors, { recursive: true });
  await mkdir(path.join(modules, '@logto'), { recursive: true });
  await writeFile(path.join(core, 'package.json'), JSON.stringify({ name: '@logto/core', type: 'module' }));
  // Real copies of connector-kit and zod, so that the host's ConnectorError and ZodError are
  // other classes than the ones in our own node_modules; their dependencies are linked from ours.
  for (const name of ['@logto/connector-kit', 'zod']) {
    await cp(path.join(root, 'node_modules', name), path.join(modules, name), { recursive: true, dereference: true });
  }
  const kitPackage = JSON.parse(await readFile(path.join(root, 'node_modules/@logto/connector-kit/package.json'), 'utf8'));
  const needed = [...Object.keys(kitPackage.dependencies ?? {}), ...Object.keys(kitPackage.peerDependencies ?? {})];
  for (const name of new Set(needed)) {
    await linkModule(name, path.join(modules, name));
  }
  if (official) {
    const built = path.join(instance, 'packages/connectors/connector-wechat-web');
    await cp(path.join(root, 'node_modules/@logto/connector-wechat-web'), built, { recursive: true, dereference: true });
    await symlink(path.join(root, 'node_modules'), path.join(built, 'node_modules'), 'dir');
    await symlink(path.relative(connectors, built), path.join(connectors, '@logto-connector-wechat-web'), 'dir');
    await writeFile(path.join(instance, 'package.json'), JSON.stringify({ name: '@logto/root', private: true, type: 'module' }));
    await linkModule('@logto/cli', path.join(instance, 'node_modules/@logto/cli'));
    await mkdir(path.join(instance, 'node_modules/.bin'), { recursive: true });
    await symlink('../@logto/cli/bin/logto.js', path.join(instance, 'node_modules/.bin/logto'));
  }
  return { instance, core, connectors };
};

const linkModule = async (name, target) => {
  await mkdir(path.dirname(target), { recursive: true });
  await symlink(path.join(root, 'node_modules', name), target, 'dir').catch((error) => {
    if (error.code !== 'EEXIST') throw error;
  });
};

/** Runs `logto connector add <tarball> --path <instance>` with the CLI from npm. */
export const connectorAdd = async (nodeBinary, tarball, instance) =>
  run(nodeBinary, [logtoCli, 'connector', 'add', tarball, '--path', instance], {
    cwd: instance,
    env: { ...process.env, CI: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });

/** Loads the connectors of an instance with Logto's loader in a fresh process and signs in (unless `loadOnly`). */
export const runHost = async (nodeBinary, { instance, mockUrl, loadOnly = false }) => {
  const { stdout } = await run(nodeBinary, [hostScript], {
    env: { ...process.env, LOGTO_INSTANCE: instance, LOGTO_WECHAT_API_BASE_URL: mockUrl, LOGTO_HOST_LOAD_ONLY: loadOnly ? '1' : '' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
};
