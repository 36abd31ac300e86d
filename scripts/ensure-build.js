// Builds the native binary (release) when it is missing or older than the Rust sources, so that
// `npm start`, `npm test` and `npm run bench` work on a fresh clone with one command.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const binary = path.join(root, 'connector-wechat-web.linux-x64-gnu.node');

const newestSource = () => {
  const files = ['Cargo.toml', 'Cargo.lock', 'build.rs', ...readdirSync(path.join(root, 'src')).map((f) => `src/${f}`)];
  return Math.max(...files.map((f) => statSync(path.join(root, f)).mtimeMs));
};

const isLinuxX64Gnu = process.platform === 'linux' && process.arch === 'x64';
if (!isLinuxX64Gnu) {
  console.log(`ensure-build: ${process.platform}-${process.arch} builds with \`npm run build\`; skipping the freshness check`);
} else if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource()) {
  console.log('ensure-build: native binary is up to date');
} else {
  console.log('ensure-build: building the native binary (release)…');
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}
