// Release checks: each .node within its size budget, all seven present, the tarball within its
// budget and carrying the binaries it should. The release workflow runs it, and
// scripts/pack.js uses the same checks on the tarballs it packs here.
//   node scripts/check-binaries.js --only <triple> --max-binary N
//   node scripts/check-binaries.js --all --max-binary N
//   node scripts/check-binaries.js --tarball pack.json --max-tarball N
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { binaryName } from '../lib/binding.js';
import { platformOfTriple } from './platforms.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const { napi } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Each .node within this; release.yml and scripts/pack.js check the same. */
export const maxBinaryBytes = 3_500_000;
/** The tarball with all seven within this. */
export const maxTarballBytes = 12_000_000;

/** The binaries of these triples (all seven by default), by file name. */
export const binariesOf = (triples = napi.targets) => triples.map((triple) => binaryName(platformOfTriple(triple)));

/** Problems with the binaries in `folder`: missing, or over the budget. */
export const checkBinaries = (files, { folder = root, maxBinary = maxBinaryBytes, log = console.log } = {}) =>
  files.flatMap((file) => {
    const full = path.join(folder, file);
    if (!existsSync(full)) return [`missing ${file}`];
    const { size } = statSync(full);
    log(`${file}: ${size} bytes`);
    return size > maxBinary ? [`${file} is ${size} bytes, over ${maxBinary}`] : [];
  });

/** Problems with a tarball (`npm pack --json`'s entry): over the budget, or lacking a binary. */
export const checkTarball = (pack, files, { maxTarball = maxTarballBytes, log = console.log } = {}) => {
  log(`${pack.filename}: ${pack.size} bytes, ${pack.entryCount} files`);
  const packed = new Set(pack.files.map((f) => f.path));
  return [
    ...(pack.size > maxTarball ? [`tarball is ${pack.size} bytes, over ${maxTarball}`] : []),
    ...files.filter((file) => !packed.has(file)).map((file) => `tarball lacks ${file}`),
  ];
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      all: { type: 'boolean', default: false },
      'max-binary': { type: 'string', default: String(maxBinaryBytes) },
      tarball: { type: 'string' },
      'max-tarball': { type: 'string', default: String(maxTarballBytes) },
    },
  });
  const maxBinary = Number(values['max-binary']);
  const problems = [
    ...(values.only ? checkBinaries(binariesOf([values.only]), { maxBinary }) : []),
    ...(values.all ? checkBinaries(binariesOf(), { maxBinary }) : []),
    ...(values.tarball ? checkTarball(JSON.parse(readFileSync(values.tarball, 'utf8'))[0], binariesOf(), { maxTarball: Number(values['max-tarball']) }) : []),
  ];
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log('ok');
}
