// Preloaded (`--import`) into the official connector's bench process only: resolves
// api.weixin.qq.com to 127.0.0.1, where the mock listens on 443. No request is intercepted;
// got makes real HTTPS connections, trusting the test CA through NODE_EXTRA_CA_CERTS.
import dns from 'node:dns';

const lookup = dns.lookup;
const loopback = (options) => (options?.all ? [{ address: '127.0.0.1', family: 4 }] : ['127.0.0.1', 4]);

dns.lookup = function (hostname, options, callback) {
  if (hostname !== 'api.weixin.qq.com') {
    return lookup.call(this, hostname, options, callback);
  }
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? {} : options;
  const answer = loopback(opts);
  process.nextTick(() => (opts?.all ? cb(null, answer) : cb(null, answer[0], answer[1])));
};
