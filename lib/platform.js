// Names the platform when no native binary in this package fits it. The choice of binary is the
// generated loader's (../index.js); this only makes its failure say what was found and shipped.

/** The platforms whose binaries the release tarball carries (package.json `napi.targets`). */
export const shippedPlatforms = Object.freeze([
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
]);

/** `linux-x64-musl`, `darwin-arm64`, `win32-x64-msvc`, ... for a process-like object. */
export const platformName = ({ platform, arch, report }) => {
  if (platform === 'linux') {
    const header = report?.getReport?.()?.header;
    return `linux-${arch}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  }
  return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`;
};

export const loadBinding = async (load, host = process) => {
  try {
    return await load();
  } catch (error) {
    throw new Error(
      `connector-wechat-web-rs has no native binary for this platform (${platformName(host)}, ` +
        `Node ${host.version}). It ships: ${shippedPlatforms.join(', ')}. ` +
        `Loader said: ${String(error?.message).split('\n')[0]}`,
      { cause: error }
    );
  }
};
