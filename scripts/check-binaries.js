// Release checks: each .node within its size budget, all seven present, the tarball within its
// budget and carrying them all.
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
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    all: { type: 'boolean', default: false },
    'max-binary': { type: 'string', default: '3500000' },
    tarball: { type: 'string' },
    'max-tarball': { type: 'string', default: '12000000' },
  },
});

const problems = [];
const expected = napi.targets.map((triple) => binaryName(platformOfTriple(triple)));

const checkBinary = (file) => {
  const full = path.join(root, file);
  if (!existsSync(full)) {
    problems.push(`missing ${file}`);
    return;
  }
  const { size } = statSync(full);
  console.log(`${file}: ${size} bytes`);
  if (size > Number(values['max-binary'])) problems.push(`${file} is ${size} bytes, over ${values['max-binary']}`);
};

if (values.only) checkBinary(binaryName(platformOfTriple(values.only)));
if (values.all) expected.forEach(checkBinary);
if (values.tarball) {
  const [pack] = JSON.parse(readFileSync(values.tarball, 'utf8'));
  console.log(`${pack.filename}: ${pack.size} bytes, ${pack.entryCount} files`);
  if (pack.size > Number(values['max-tarball'])) problems.push(`tarball is ${pack.size} bytes, over ${values['max-tarball']}`);
  const files = new Set(pack.files.map((f) => f.path));
  for (const file of expected) if (!files.has(file)) problems.push(`tarball lacks ${file}`);
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('ok');
