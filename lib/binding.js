// The native binding: this package's own binary for the running platform, arch and libc
// (connector-wechat-web.<platform>.node beside lib/), and nothing from anywhere else.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's folder, where its binaries are. */
export const packageFolder = fileURLToPath(new URL('../', import.meta.url));

/**
 * Node's diagnostic report without its network part, which looks up the name of every open
 * socket's addresses and blocks (Logto's start: its database is connected) as long as DNS takes.
 */
const reportWithoutNetwork = (report) => {
  if (typeof report?.getReport !== 'function') return undefined;
  const excluded = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    return report.getReport();
  } finally {
    report.excludeNetwork = excluded;
  }
};

/** `linux-x64-musl`, `darwin-arm64`, `win32-x64-gnu`, … for a process-like object. */
export const platformName = ({ platform, arch, report }) => {
  if (platform === 'linux') {
    // Node reports the glibc it runs on; a musl build (Alpine's) reports none. Asked, not guessed
    // from file names: Debian's musl loader, for one, is mapped as x86_64-linux-musl/libc.so.
    const glibc = reportWithoutNetwork(report)?.header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  // Windows' binary is built with MinGW-w64 (the one the tests run), hence `gnu`.
  return platform === 'win32' ? `win32-${arch}-gnu` : `${platform}-${arch}`;
};

export const binaryName = (platform) => `connector-wechat-web.${platform}.node`;

/** The platforms whose binaries a package folder holds. */
export const binariesIn = (folder = packageFolder) =>
  readdirSync(folder)
    .map((file) => /^connector-wechat-web\.(.+)\.node$/.exec(file)?.[1])
    .filter(Boolean)
    .sort();

export const howToGetOne =
  'Install the release tarball, which carries all seven platforms, or build one in a checkout of ' +
  'connector-wechat-web-rs on Linux x64: `npm run pack:linux` gives the four Linux binaries (glibc ' +
  "and musl, x64 and arm64; Logto's Docker image is musl), `npm run pack:all` all seven.";

/** Loads the binary for `host` from `folder` (this process and this package, but in tests). */
export const loadBinding = ({ host = process, folder = packageFolder, load = createRequire(import.meta.url) } = {}) => {
  const platform = platformName(host);
  try {
    return load(path.join(folder, binaryName(platform)));
  } catch (error) {
    const present = binariesIn(folder);
    const why = present.includes(platform)
      ? `its ${binaryName(platform)} did not load: ${String(error?.message).split('\n')[0].replace(/\.$/, '')}`
      : `this package carries no binary for it, only: ${present.join(', ') || 'none'}`;
    throw new Error(`connector-wechat-web-rs cannot run on ${platform} (Node ${host.version}): ${why}. ${howToGetOne}`, {
      cause: error,
    });
  }
};
