// One connector's side of the benchmark, in a fresh Node 22 process: import time, memory,
// getAuthorizationUri cost, then sign-ins at each concurrency with latencies and CPU time.
// Prints one JSON line. Started by benchmark/run.js; nothing here intercepts requests.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    connector: { type: 'string' },
    concurrency: { type: 'string', default: '1,64,512' },
    'sign-ins': { type: 'string', default: '400,6000,12000' },
    'uri-calls': { type: 'string', default: '20000' },
  },
});

const entry = values.connector === 'official' ? '@logto/connector-wechat-web' : '../lib/index.js';
const importStart = performance.now();
const module = await import(entry);
const importMs = performance.now() - importStart;
globalThis.gc?.();
const rssLoaded = process.memoryUsage().rss;

const config = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };
const connector = await module.default({ getConfig: async () => config });

// getAuthorizationUri, awaited one after another, as Logto calls it.
const payload = { state: 'Lg3f0pVX3kw', redirectUri: 'https://auth.example.com/callback/wechat-abc123', headers: {} };
const noop = async () => {};
for (let i = 0; i < 2000; i += 1) await connector.getAuthorizationUri(payload, noop);
const uriCalls = Number(values['uri-calls']);
const uriStart = performance.now();
for (let i = 0; i < uriCalls; i += 1) await connector.getAuthorizationUri(payload, noop);
const uriMicros = ((performance.now() - uriStart) * 1000) / uriCalls;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const signIns = async (total, concurrency) => {
  const latencies = new Float64Array(total);
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      try {
        await connector.getUserInfo({ code: `code-bench~${index}` }, async () => ({}));
      } catch {
        failures += 1;
      }
      latencies[index] = performance.now() - started;
    }
  };
  const cpuBefore = process.cpuUsage();
  const wallStart = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    concurrency,
    total,
    failures,
    perSecond: total / (wallMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuMicrosPerSignIn: (cpu.user + cpu.system) / total,
  };
};

// Warm up connections and code paths, then measure each concurrency.
await signIns(200, 16);
const levels = values.concurrency.split(',').map(Number);
const counts = values['sign-ins'].split(',').map(Number);
const results = [];
for (const [i, concurrency] of levels.entries()) {
  results.push(await signIns(counts[i] ?? counts.at(-1), concurrency));
}
globalThis.gc?.();
console.log(
  JSON.stringify({
    connector: values.connector,
    node: process.version,
    importMs,
    rssLoaded,
    rssAfter: process.memoryUsage().rss,
    uriMicros,
    results,
  })
);
process.exit(0);
