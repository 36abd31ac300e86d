// The native binding: this package's own binary for the running platform, arch and libc
// (connector-wechat-web.<platform>.node beside lib/), and nothing from anywhere else.
import { readdirSync, readFileSync } from 'node:fs';
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

/** This process's memory map, or null without /proc. */
const ownMaps = () => {
  try {
    return readFileSync('/proc/self/maps', 'latin1');
  } catch {
    return null;
  }
};

/**
 * `gnu` or `musl`: the C library of a Linux process, from its memory map: glibc's libc is mapped
 * as libc.so.6 (libc-2.NN.so before 2.34); musl's libc is its loader (Alpine's
 * ld-musl-x86_64.so.1, Debian's x86_64-linux-musl/libc.so) and never has those names. Read in
 * 0.2 ms; Node's report, asked only without /proc, says whether Node runs on glibc in 2 ms.
 */
export const linuxLibc = (maps = ownMaps(), report = process.report) => {
  if (maps === null) return reportWithoutNetwork(report)?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
  return /\/libc(?:\.so\.6|-2\.\d+\.so)(?: \(deleted\))?$/m.test(maps) ? 'gnu' : 'musl';
};

/**
 * `linux-x64-musl`, `darwin-arm64`, `win32-x64-gnu`, … for a process-like object; tests standing
 * in for another Linux set its `libc`.
 */
export const platformName = ({ platform, arch, libc }) => {
  if (platform === 'linux') return `linux-${arch}-${libc ?? linuxLibc()}`;
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
