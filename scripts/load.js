// Load: bursts of sign-ins at high concurrency against the mock WeChat, in its own process or in
// this one; counts failures, the connections the connector opened, and this process's memory
// after each round.
//   node --expose-gc scripts/load.js [--total 50000] [--concurrency 512] [--rounds 2]
//     [--upstream process|same]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import createConnector from '../lib/index.js';
import { startMockWeChat } from '../mock/wechat-server.js';

/** Starts mock/serve.js in its own process; resolves once it listens. */
const spawnMock = async (args = []) => {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../mock/serve.js', import.meta.url)), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return {
    ...JSON.parse(line),
    async close() {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
};

const config = { appId: 'wx_web_app', appSecret: 'web-app-secret-123456' };

const settleMemory = async () => {
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage();
};

/** Connections the mock has accepted so far (asking opens one more, not counted). */
const connectionsOf = async (mock) => {
  const response = await fetch(`${mock.url}/__mock/stats`, { headers: { connection: 'close' } });
  return (await response.json()).connections - 1;
};

export const runLoad = async ({ total = 5000, concurrency = 256, rounds = 2, upstream = 'process', log = () => {} } = {}) => {
  const mock = upstream === 'same' ? await startMockWeChat() : await spawnMock();
  let counted = 0;
  process.env.LOGTO_WECHAT_API_BASE_URL = mock.url;
  try {
    const connector = await createConnector({ getConfig: async () => config });
    const results = [];
    let serial = 0;
    for (let round = 1; round <= rounds; round += 1) {
      let next = 0;
      let failures = 0;
      let firstFailure;
      let maxInFlight = 0;
      let inFlight = 0;
      const connectionsBefore = (await connectionsOf(mock)) - counted;
      counted += 1;
      const started = performance.now();
      const worker = async () => {
        while (next < total) {
          next += 1;
          serial += 1;
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            const info = await connector.getUserInfo({ code: `code-u${serial % 1000}~${serial}` }, async () => ({}));
            if (!info.id.startsWith('unionid-u')) throw new Error(`unexpected id ${info.id}`);
          } catch (error) {
            failures += 1;
            firstFailure ??= error;
          } finally {
            inFlight -= 1;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (performance.now() - started) / 1000;
      const connections = (await connectionsOf(mock)) - counted - connectionsBefore;
      counted += 1;
      // An in-process mock records every request; that is not the connector's memory.
      mock.requests?.splice(0);
      const memory = await settleMemory();
      const result = { round, total, concurrency, maxInFlight, failures, connections, firstFailure: firstFailure?.message, seconds, perSecond: total / seconds, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external };
      results.push(result);
      log(result);
    }
    return results;
  } finally {
    await mock.close();
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      total: { type: 'string', default: '50000' },
      concurrency: { type: 'string', default: '512' },
      rounds: { type: 'string', default: '2' },
      upstream: { type: 'string', default: 'process' },
    },
  });
  const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
  const results = await runLoad({
    total: Number(values.total),
    concurrency: Number(values.concurrency),
    rounds: Number(values.rounds),
    upstream: values.upstream,
    log: (r) =>
      console.log(`round ${r.round}: ${r.total} sign-ins, ${r.maxInFlight} in flight, ${r.failures} failures, ${r.connections} connections opened, ${r.seconds.toFixed(1)} s (${r.perSecond.toFixed(0)}/s), rss ${mib(r.rss)}, heap ${mib(r.heapUsed)}`),
  });
  const growth = results.at(-1).rss - results[0].rss;
  console.log(`rss change from round 1 to round ${results.length}: ${mib(growth)}`);
  process.exitCode = results.some((r) => r.failures) ? 1 : 0;
}
