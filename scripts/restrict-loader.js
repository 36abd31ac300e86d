// Run by `npm run build` after napi writes index.js. napi's loader also loads a binary named by
// NAPI_RS_NATIVE_LIBRARY_PATH, falls back to packages named connector-wechat-web-rs-<platform>
// (which we do not publish, so anyone could), and to WASI builds chosen by NAPI_RS_FORCE_WASI.
// For an authentication component that runs inside Logto, the loader loads only the binaries
// inside this package: those three paths are cut out here. Each cut must match what napi
// generated, or the build fails, so a napi upgrade that changes the loader is noticed.
//
//   node scripts/restrict-loader.js [index.js]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = process.argv[2] ?? fileURLToPath(new URL('../index.js', import.meta.url));
const { name } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const marker = '// Restricted by scripts/restrict-loader.js: only the binaries inside this package.';

const cuts = [
  {
    what: 'the NAPI_RS_NATIVE_LIBRARY_PATH override',
    pattern: /^ {2}if \(process\.env\.NAPI_RS_NATIVE_LIBRARY_PATH\) \{\n[\s\S]*?\n {2}\} else if \(process\.platform === 'android'\) \{$/m,
    replacement: "  if (process.platform === 'android') {",
    count: 1,
  },
  {
    what: `the fallbacks to packages named ${name}-<platform>`,
    pattern: new RegExp(
      `\\n *try \\{\\n *const binding = require\\('${escaped}-[a-z0-9-]+'\\)\\n[\\s\\S]*?\\n *return binding\\n *\\} catch \\(e\\) \\{\\n *loadErrors\\.push\\(e\\)\\n *\\}`,
      'g'
    ),
    replacement: '',
    count: 'many',
  },
  {
    what: 'the WASI fallback chain',
    pattern: /^\/\/ NAPI_RS_FORCE_WASI is a tri-state flag:\n[\s\S]*?\n(?=if \(!nativeBinding\) \{\n {2}if \(loadErrors\.length > 0\) \{)/m,
    replacement: `${marker}\nconst __napiWasiFlavors = []\nnativeBinding = requireNative()\n__napiRequiredNativeBinding = nativeBinding\n\n`,
    count: 1,
  },
];

let source = readFileSync(file, 'utf8');
if (source.includes(marker)) {
  console.log('restrict-loader: index.js is already restricted');
  process.exit(0);
}
for (const { what, pattern, replacement, count } of cuts) {
  const found = source.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))?.length ?? 0;
  if (count === 'many' ? found === 0 : found !== count) {
    console.error(`restrict-loader: expected ${count} of ${what} in ${file}, found ${found}; did napi's loader change?`);
    process.exit(1);
  }
  source = source.replace(pattern, replacement);
}
for (const leftover of ['NAPI_RS_NATIVE_LIBRARY_PATH', 'NAPI_RS_FORCE_WASI', `require('${name}-`]) {
  if (source.includes(leftover)) {
    console.error(`restrict-loader: ${leftover} is still in ${file}`);
    process.exit(1);
  }
}
writeFileSync(file, source);
console.log('restrict-loader: index.js loads only the binaries inside this package');
