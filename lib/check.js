// The install check, run where Logto runs (README's install block, the Dockerfile's RUN line):
//
//   node <the connector's folder>/lib/check.js [--config <file> | --config -]
//
// It loads this package as Logto's loader does, on this Node and this platform, and checks what
// that loader checks (the host's @logto/connector-kit against our range; Node against our
// engines). Given the connector's config (the JSON object from Logto's console, from a file or
// with `-` from standard input), it also asks WeChat whether sign-in will work: can its API be
// reached, does it accept each app's AppID and AppSecret. One line per check; the exit code is 0
// only when every check passes (2 for a mistyped command). Nothing of the config is printed but
// AppIDs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { binariesIn, binaryName, loadBinding, packageFolder, platformName } from './binding.js';
import { satisfies } from './versions.js';

const usage = "usage: node <the connector's folder>/lib/check.js [--config <file> | --config -]";
let values;
try {
  ({ values } = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  // A mistyped command is not a failed check: its own exit code, no stack.
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(
    `${usage}\n\nChecks that this connector can run here, as Logto's loader would load it. With --config (a file,\n` +
      "or - for standard input: the connector's config as Logto's console saves it), also asks WeChat\n" +
      'whether it accepts each AppID and AppSecret. Exit 0 only when every check passes.'
  );
  process.exit(0);
}
const manifest = JSON.parse(readFileSync(path.join(packageFolder, 'package.json'), 'utf8'));

const passes = [];
const report = (check, passed, text) => {
  passes.push(passed);
  console.log(`${passed ? 'ok  ' : 'FAIL'} ${check}: ${text}`);
};
const failure = (error) => String(error?.message ?? error).split('\n')[0];

const nodeRange = manifest.engines.node;
report('Node', satisfies(process.version, nodeRange), `${process.version}; this connector supports ${nodeRange}`);

const platform = platformName(process);
let binding;
try {
  binding = loadBinding();
  report('native binary', true, `${binaryName(platform)} for ${platform} (this package carries: ${binariesIn().join(', ')})`);
} catch (error) {
  report('native binary', false, failure(error));
}

let kit;
const kitRange = manifest.dependencies['@logto/connector-kit'];
try {
  const kitManifest = createRequire(path.join(packageFolder, 'package.json')).resolve('@logto/connector-kit/package.json');
  const { version } = JSON.parse(readFileSync(kitManifest, 'utf8'));
  // Resolved as lib/index.js resolves it: from this folder up.
  kit = await import('@logto/connector-kit');
  report('@logto/connector-kit', satisfies(version, kitRange), `${version} at ${path.dirname(kitManifest)}; this connector needs ${kitRange}`);
} catch (error) {
  report('@logto/connector-kit', false, `not found from ${packageFolder} (${failure(error)}); Logto provides it to its connectors`);
}

if (binding && kit) {
  // What Logto's loader does: import lib/index.js, create the connector, check its module.
  try {
    const { default: createConnector } = await import(pathToFileURL(path.join(packageFolder, 'lib/index.js')).href);
    const notImplemented = () => {
      throw new kit.ConnectorError(kit.ConnectorErrorCodes.NotImplemented);
    };
    const { metadata, type, configGuard } = await createConnector({ getConfig: notImplemented });
    const types = Object.values(kit.ConnectorType);
    // Logto's validateConnectorModule, in its order.
    const refused =
      (!metadata && 'it has no metadata') ||
      (!configGuard && 'it has no configGuard') ||
      (!types.includes(type) && `its type ${type} is none of the host's connector types (${types.join(', ')})`);
    const created = `${manifest.name} ${manifest.version} creates the ${type} connector ${metadata?.id}`;
    report("Logto's loader", !refused, refused ? `Logto would not load it: ${refused}` : created);
  } catch (error) {
    report("Logto's loader", false, failure(error));
  }
}

/**
 * Standard input, whole. Pasted on a terminal, it is not shown (raw mode, as a password prompt):
 * a secret does not stay on the screen. Ctrl-D ends it, Ctrl-C gives up.
 */
const readStdin = async () => {
  const { stdin } = process;
  stdin.setEncoding('utf8');
  let text = '';
  if (!stdin.isTTY) {
    for await (const chunk of stdin) text += chunk;
    return text;
  }
  // Raw before the prompt: keys that come as soon as it shows are neither echoed nor signals.
  stdin.setRawMode(true);
  process.stderr.write("Paste the connector's config (JSON; it is not shown), then press Ctrl-D:\n");
  try {
    for await (const chunk of stdin) {
      for (const char of chunk) {
        if (char === '\u0004') return text;
        if (char === '\u0003') throw new Error('interrupted (Ctrl-C)');
        text = char === '\u007f' ? text.slice(0, -1) : text + char;
      }
    }
    return text;
  } finally {
    stdin.setRawMode(false);
  }
};

/** Why the config's text is not JSON: where the parser stopped, never the text (the secrets). */
const unreadable = (text, error) => {
  if (text.trim() === '') return "empty: give the JSON object Logto's console saves";
  // JSON.parse's message may quote the text; its position is all that is kept.
  const position = /at position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) return 'not valid JSON';
  const lines = text.slice(0, Number(position)).split(/\r\n?|\n/);
  return `not valid JSON (line ${lines.length}, column ${lines.at(-1).length + 1})`;
};

if (values.config !== undefined && binding) {
  let text;
  let config;
  try {
    text = values.config === '-' ? await readStdin() : readFileSync(values.config, 'utf8');
    // Windows editors (Notepad, PowerShell 5's `-Encoding UTF8`) start the file with a BOM.
    text = text.replace(/^\uFEFF/, '');
    config = JSON.parse(text);
  } catch (error) {
    report('config', false, error instanceof SyntaxError ? unreadable(text, error) : failure(error));
  }
  if (config !== undefined) {
    const { lines: checks, error } = await binding.checkWechat(config);
    if (error) {
      const issues = error.issues?.map(({ path: at, message }) => `${at.join('.') || 'config'}: ${message}`);
      // The Management API's connector holds the config as `config`: a likely paste.
      const hint = typeof config?.config === 'object' && config.config !== null ? " (this is the whole connector: give its `config`)" : '';
      report('config', false, `${issues?.join('; ') ?? JSON.stringify(error.data)}${hint}`);
    }
    for (const { check, passed, text } of checks) report(check, passed, text);
  }
}

process.exitCode = passes.every(Boolean) ? 0 : 1;
