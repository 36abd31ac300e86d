// A loopback port nothing listens on (it was free a moment ago): for "connection refused", or
// for a server that must be told its port before it starts.
import net from 'node:net';

export const freePort = async () => {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
};
