// Child processes for tests that need a fresh process: their own environment (a CA given
// through NODE_EXTRA_CA_CERTS is read at start), their own memory, their own exit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { root } from '../../scripts/lib/logto-instance.js';

/** Runs __test__/fixtures/sign-in.js with the given environment; resolves to its report. */
export const signInProcess = async (env, binary = process.execPath) => {
  const started = performance.now();
  const child = spawn(binary, [path.join(root, '__test__/fixtures/sign-in.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [exitCode] = await once(child, 'exit');
  return { exitCode, ms: performance.now() - started, report: stdout ? JSON.parse(stdout.trim().split('\n').at(-1)) : undefined, stderr };
};
