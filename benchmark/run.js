// `npm run bench`: the official @logto/connector-wechat-web@1.6.5 and ours, side by side in one
// run, each in its own Node 22 process, against the same mock WeChat in a third process over
// real HTTPS to loopback (test CA given to both through NODE_EXTRA_CA_CERTS). The official
// connector reaches the mock on 443 by resolving api.weixin.qq.com to 127.0.0.1 in its own
// process; ours through LOGTO_WECHAT_API_BASE_URL. Prints a table, writes JSON and an SVG chart.
//   node benchmark/run.js [--rounds 3] [--quick] [--out benchmark/results]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ensureLogtoNode } from '../scripts/lib/node.js';
import { renderChart } from './chart.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const caFile = path.join(root, '__test__/fixtures/tls/ca.pem');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(root, 'benchmark/results') },
  },
});
const rounds = values.quick ? 1 : Number(values.rounds);
const workerArgs = values.quick
  ? ['--concurrency', '1,64,512', '--sign-ins', '20,128,512', '--uri-calls', '500']
  : ['--concurrency', '1,64,512', '--sign-ins', '400,6000,12000', '--uri-calls', '20000'];

const node22 = ensureLogtoNode();

const startMock = async () => {
  const child = spawn(node22, [path.join(root, 'mock/serve.js'), '--tls', 'trusted', '--port', '443', '--fixed'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the mock could not listen on 127.0.0.1:443 (exit ${code}): is the port taken, or does the bench lack root or CAP_NET_BIND_SERVICE?`);
    }),
  ]);
  return { ...JSON.parse(line), stop: () => child.stdin.end() };
};

const runWorker = async (connector) => {
  const args = ['--expose-gc'];
  if (connector === 'official') args.push('--import', path.join(root, 'benchmark/resolve-wechat.js'));
  args.push(path.join(root, 'benchmark/worker.js'), '--connector', connector, ...workerArgs);
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile };
  if (connector === 'ours') env.LOGTO_WECHAT_API_BASE_URL = 'https://127.0.0.1';
  else delete env.LOGTO_WECHAT_API_BASE_URL;
  const child = spawn(node22, args, { cwd: path.join(root, 'benchmark'), env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${connector} worker exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1));
};

const tarballSize = (args) => JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString())[0].size;

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const summary = (numbers) => ({ median: median(numbers), min: Math.min(...numbers), max: Math.max(...numbers) });

const mock = await startMock();
const runs = { official: [], ours: [] };
try {
  for (let round = 1; round <= rounds; round += 1) {
    // Alternate who goes first, so neither always meets a warmer machine.
    const order = round % 2 ? ['official', 'ours'] : ['ours', 'official'];
    for (const connector of order) {
      const result = await runWorker(connector);
      const failures = result.results.reduce((sum, r) => sum + r.failures, 0);
      if (failures) throw new Error(`${connector}: ${failures} failed sign-ins`);
      runs[connector].push(result);
      console.error(`round ${round}/${rounds}: ${connector} done`);
    }
  }
} finally {
  mock.stop();
}

const metrics = (list) => ({
  importMs: summary(list.map((r) => r.importMs)),
  uriMicros: summary(list.map((r) => r.uriMicros)),
  rssLoadedMiB: summary(list.map((r) => r.rssLoaded / 1048576)),
  rssAfterMiB: summary(list.map((r) => r.rssAfter / 1048576)),
  concurrency: list[0].results.map((_, i) => ({
    concurrency: list[0].results[i].concurrency,
    perSecond: summary(list.map((r) => r.results[i].perSecond)),
    p50: summary(list.map((r) => r.results[i].p50)),
    p99: summary(list.map((r) => r.results[i].p99)),
    cpuMicrosPerSignIn: summary(list.map((r) => r.results[i].cpuMicrosPerSignIn)),
  })),
});

const officialPkg = path.join(root, 'node_modules/@logto/connector-wechat-web');
const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: runs.ours[0].node },
  rounds,
  quick: values.quick,
  official: { version: JSON.parse(readFileSync(path.join(officialPkg, 'package.json'), 'utf8')).version, ...metrics(runs.official) },
  ours: metrics(runs.ours),
  tarballBytes: { official: tarballSize([officialPkg]), ours: tarballSize([]) },
};

const ratio = (ours, official) => ours / official;
const fmt = (n, digits = 1) => (n >= 100 ? n.toFixed(0) : n.toFixed(digits));
const spread = ({ min, max }, digits) => `${fmt(min, digits)}–${fmt(max, digits)}`;
const rows = [
  ['import lib/index.js (ms)', report.official.importMs, report.ours.importMs, 'lower'],
  ['getAuthorizationUri (µs/call)', report.official.uriMicros, report.ours.uriMicros, 'lower'],
  ...report.ours.concurrency.flatMap((c, i) => {
    const o = report.official.concurrency[i];
    return [
      [`sign-ins/s @${c.concurrency}`, o.perSecond, c.perSecond, 'higher'],
      [`p50 latency @${c.concurrency} (ms)`, o.p50, c.p50, 'lower'],
      [`p99 latency @${c.concurrency} (ms)`, o.p99, c.p99, 'lower'],
      [`CPU per sign-in @${c.concurrency} (µs)`, o.cpuMicrosPerSignIn, c.cpuMicrosPerSignIn, 'lower'],
    ];
  }),
  ['RSS after import (MiB)', report.official.rssLoadedMiB, report.ours.rssLoadedMiB, 'lower'],
  ['RSS after sign-ins (MiB)', report.official.rssAfterMiB, report.ours.rssAfterMiB, 'lower'],
];
const table = [
  `| metric | official ${report.official.version} (median, spread) | ours (median, spread) | ours/official |`,
  '| --- | --- | --- | --- |',
  ...rows.map(([name, o, u]) => `| ${name} | ${fmt(o.median, 2)} (${spread(o, 2)}) | ${fmt(u.median, 2)} (${spread(u, 2)}) | ${ratio(u.median, o.median).toFixed(3)} |`),
  `| tarball (bytes) | ${report.tarballBytes.official} | ${report.tarballBytes.ours} (linux-x64-gnu only) | ${ratio(report.tarballBytes.ours, report.tarballBytes.official).toFixed(2)} |`,
].join('\n');
report.table = table;
report.ratios = Object.fromEntries(rows.map(([name, o, u]) => [name, ratio(u.median, o.median)]));

mkdirSync(values.out, { recursive: true });
writeFileSync(path.join(values.out, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(values.out, 'chart.svg'), renderChart(report));
console.log(`Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; ${rounds} round(s)\n`);
console.log(table);
console.log(`\nWrote ${path.relative(root, path.join(values.out, 'results.json'))} and chart.svg`);
