// `npm run pack:linux`: the tarball for Logto's Docker image (node:22-alpine, musl, amd64 and
// arm64) and for Linux servers, built on a Linux x64 machine with Debian 12 or 13: the four Linux
// binaries (x64/arm64, glibc/musl) with the release profile, packed into one npm tarball in this
// folder, `connector-wechat-web-rs-<version>.tgz`, for `logto connector add`.
// `npm run pack:all`: the same with the macOS and Windows binaries too, the release tarball.
//
// This machine's own binary comes from `npm run build`; the others from scripts/cross.js. Each
// binary and the tarball are checked against the release budgets (scripts/check-binaries.js).
//   node scripts/pack.js linux|all
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { binaryName, platformName } from '../lib/binding.js';
import { binariesOf, checkBinaries, checkTarball } from './check-binaries.js';
import { buildTarget, output, requireDebian, run } from './cross.js';
import { platformOfTriple } from './platforms.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const { napi } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The targets of each set. */
export const packSets = Object.freeze({
  linux: napi.targets.filter((triple) => triple.includes('-linux-')),
  all: napi.targets,
});

export const pack = (set) => {
  const triples = packSets[set];
  if (!triples) throw new Error(`no set ${set}; there are ${Object.keys(packSets).join(', ')}`);
  // Said before this machine's own build, which takes minutes.
  requireDebian();
  const own = binaryName(platformName(process));
  run(process.execPath, ['scripts/ensure-build.js'], { cwd: root });
  // The other binaries are copied in beside this machine's for `npm pack`, and removed after.
  const copied = [];
  try {
    for (const triple of triples) {
      const file = binaryName(platformOfTriple(triple));
      if (file === own) continue;
      const built = buildTarget(triple);
      copyFileSync(built, path.join(root, file));
      copied.push(path.join(root, file));
    }
    const files = binariesOf(triples);
    const problems = checkBinaries(files);
    const [packed] = JSON.parse(output('npm', ['pack', '--json'], { cwd: root }));
    problems.push(...checkTarball(packed, files));
    if (problems.length) throw new Error(problems.join('; '));
    const tarball = path.join(root, packed.filename);
    console.log(`pack: ${path.relative(process.cwd(), tarball) || tarball} carries ${files.join(', ')}`);
    return { tarball, files: packed.files.map((f) => f.path) };
  } finally {
    copied.forEach((file) => rmSync(file, { force: true }));
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    pack(process.argv[2] ?? 'linux');
  } catch (error) {
    console.error(`pack: ${error.message}`);
    process.exitCode = 1;
  }
}
