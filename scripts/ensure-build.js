// Builds the native binary (release) when it is missing or older than the Rust sources, so that
// `npm start`, `npm test` and `npm run bench` work on a fresh clone with one command.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { binaryName, platformName } from '../lib/binding.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const binary = path.join(root, binaryName(platformName(process)));

const newestSource = () => {
  const sources = ['src', 'core/src'].flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true }).map((file) => `${dir}/${file}`));
  const files = ['Cargo.toml', 'core/Cargo.toml', 'Cargo.lock', 'build.rs', 'package.json', ...sources];
  return Math.max(...files.map((f) => statSync(path.join(root, f)).mtimeMs));
};

if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource()) {
  console.log(`ensure-build: ${path.basename(binary)} is up to date`);
} else {
  console.log(`ensure-build: building ${path.basename(binary)} (release)…`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}
