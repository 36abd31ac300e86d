// A minimal Logto instance on disk, as `logto connector add` and Logto's loader see one:
// packages/core/package.json named @logto/core, the host's own copy of @logto/connector-kit in
// packages/core/node_modules, and packages/core/connectors/.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { ensureLogtoNode } from './node.js';

const run = promisify(execFile);

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const node22 = ensureLogtoNode();
export const logtoCli = path.join(root, 'node_modules/@logto/cli/bin/logto.js');
export const hostScript = path.join(root, 'scripts/lib/logto-host.js');

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

/** README's "Install into Logto" section: its `sh` blocks (install, the check with a config, going
 * back) and its Dockerfile. */
export const readmeInstallSection = async () => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## Install into Logto');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = (language) => [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  const block = (language, holding) => blocks(language).find((text) => text.includes(holding));
  const [install, check, goBack] = [block('sh', 'connector add'), block('sh', '--config'), block('sh', 'connector link')];
  const [pack, dockerfile] = [block('sh', 'pack:linux'), block('dockerfile', 'FROM')];
  return { section, pack, install, check, goBack, dockerfile };
};

/** The tarball path README's commands name. */
export const readmeTarball = '/path/to/connector-wechat-web-rs-0.1.0.tgz';

/** Runs a README block with `sh -e` in the instance, as a self-hoster would, with Logto's Node
 * first on PATH; only the placeholder paths are replaced. npm may not reach the registry. */
export const runReadme = async (commands, instance, replacements = {}, nodeBinary = node22) => {
  let script = commands.replaceAll('/path/to/logto', instance);
  for (const [from, to] of Object.entries(replacements)) script = script.replaceAll(from, to);
  return run('sh', ['-e', '-c', script], {
    cwd: instance,
    env: { ...process.env, CI: 'true', npm_config_offline: 'true', PATH: `${path.dirname(nodeBinary)}:${process.env.PATH}` },
    maxBuffer: 16 * 1024 * 1024,
  });
};
