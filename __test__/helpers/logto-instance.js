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

export const makeInstance = async () => {
  const instance = await mkdtemp(path.join(tmpdir(), 'logto-instance-'));
  const core = path.join(instance, 'packages/core');
  const modules = path.join(core, 'node_modules');
  await mkdir(path.join(core, 'connectors'), { recursive: true });
  await mkdir(path.join(modules, '@logto'), { recursive: true });
  await writeFile(path.join(core, 'package.json'), JSON.stringify({ name: '@logto/core', type: 'module' }));
  // A real copy, so the host's ConnectorError is a different class from the one in our own
  // node_modules; its dependencies are linked from ours.
  const kitSource = path.join(root, 'node_modules/@logto/connector-kit');
  await cp(kitSource, path.join(modules, '@logto/connector-kit'), { recursive: true, dereference: true });
  const kitPackage = JSON.parse(await readFile(path.join(kitSource, 'package.json'), 'utf8'));
  const needed = [...Object.keys(kitPackage.dependencies ?? {}), ...Object.keys(kitPackage.peerDependencies ?? {}), 'zod'];
  for (const name of new Set(needed)) {
    const target = path.join(modules, name);
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(path.join(root, 'node_modules', name), target, 'dir').catch((error) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  return { instance, core, connectors: path.join(core, 'connectors') };
};

/** Runs `logto connector add <tarball> --path <instance>` with the CLI from npm. */
export const connectorAdd = async (nodeBinary, tarball, instance) =>
  run(nodeBinary, [logtoCli, 'connector', 'add', tarball, '--path', instance], {
    cwd: instance,
    env: { ...process.env, CI: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });

/** Loads the connectors of an instance with Logto's loader in a fresh process and signs in. */
export const runHost = async (nodeBinary, { instance, mockUrl }) => {
  const { stdout } = await run(nodeBinary, [hostScript], {
    env: { ...process.env, LOGTO_INSTANCE: instance, LOGTO_WECHAT_API_BASE_URL: mockUrl },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
};
