// Runs the mock WeChat as its own process: `node mock/serve.js [--tls trusted] [--port N]
// [--host H] [--fixed]`. `--fixed` answers every sign-in with the same precomputed replies (for
// benchmarks: the mock's own cost stays small and constant). Prints one JSON line
// `{ "url": … }` when listening; stops on SIGTERM/SIGINT or when its parent's stdin closes.
import { parseArgs } from 'node:util';

import { startMockWeChat } from './wechat-server.js';

const { values } = parseArgs({
  options: {
    tls: { type: 'string', default: 'http' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    apps: { type: 'string' },
    fixed: { type: 'boolean', default: false },
  },
});

const mock = await startMockWeChat({
  fixed: values.fixed,
  tls: values.tls,
  port: Number(values.port),
  host: values.host,
  ...(values.apps ? { apps: JSON.parse(values.apps) } : {}),
});
console.log(JSON.stringify({ url: mock.url, port: mock.port, pid: process.pid }));

const stop = async () => {
  await mock.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
