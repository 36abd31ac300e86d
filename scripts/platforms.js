// Rust target triples ↔ the platform names in our .node file names (lib/binding.js).
const arches = { x86_64: 'x64', aarch64: 'arm64' };

/** `x86_64-unknown-linux-musl` → `linux-x64-musl`, `aarch64-apple-darwin` → `darwin-arm64`. */
export const platformOfTriple = (triple) => {
  const [arch, , os, abi] = triple.split('-');
  const nodeArch = arches[arch] ?? arch;
  if (os === 'darwin') return `darwin-${nodeArch}`;
  if (os === 'windows') return `win32-${nodeArch}-${abi}`;
  return `${os}-${nodeArch}-${abi}`;
};
