// Builds the release binary (Cargo.toml's release profile) for the targets this machine cannot
// build with its own toolchain, on a Linux x64 machine with Debian 12 or 13: Debian's rustc-web
// with its std source (`-Zbuild-std`), and these linkers:
//
// - x86_64-unknown-linux-musl: musl-gcc. aarch64-unknown-linux-gnu: aarch64-linux-gnu-gcc.
//   aarch64-unknown-linux-musl: aarch64-linux-gnu-gcc over the arm64 musl-dev package, unpacked.
//   The musl binaries link libgcc_s and libc.so dynamically, as Alpine provides them
//   (`-C target-feature=-crt-static`).
// - x86_64-apple-darwin, aarch64-apple-darwin: Zig as the linker (PyPI's ziglang and
//   cargo-zigbuild), for macOS 11 and later (MACOSX_DEPLOYMENT_TARGET, Node 22's own floor);
//   LLVM's objcopy serves the release profile's strip as rust-objcopy.
// - x86_64-pc-windows-gnu: Debian's MinGW-w64. napi-build links a libnode.dll, which an import
//   library made by MinGW's dlltool serves: N-API itself is looked up in the host process when
//   the module loads (napi-sys's dyn-symbols), so it names one function of node.exe only.
//
// The release workflow builds them with this script too.
//
// Installs what it needs: Debian packages after a dry run that must remove nothing, the rest into
// .cache/platforms/. Builds go to target/platforms/, so a second run only relinks what changed.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { binaryName } from '../lib/binding.js';
import { platformOfTriple } from './platforms.js';

export const root = fileURLToPath(new URL('../', import.meta.url));
export const cache = path.join(root, '.cache/platforms');
const targetDir = path.join(root, 'target/platforms');

export const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
};
export const output = (command, args, options = {}) => execFileSync(command, args, { encoding: 'utf8', ...options });
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
export const step = (text) => console.log(`platforms: ${text}`);

/** Debian packages, installed once (after a dry run that must remove nothing). */
export const installDebian = (packages, ready) => {
  if (ready()) return;
  step(`installing ${packages.join(', ')} (Debian)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  const plan = output('apt-get', ['install', '-s', '--no-install-recommends', ...packages], { env });
  if (/^Remv /m.test(plan)) throw new Error(`installing ${packages.join(' ')} would remove packages:\n${plan}`);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
};

/** Why a machine cannot run the cross builds (they need Debian's own packages and archive
 * keys, which Ubuntu and others lack), or nothing; `osRelease` is /etc/os-release's text. */
export const notDebian = (osRelease, arch = process.arch) => {
  const field = (name) => new RegExp(`^${name}="?([^"\n]*)"?$`, 'm').exec(osRelease ?? '')?.[1];
  if (field('ID') === 'debian' && arch === 'x64') return undefined;
  const machine = `${field('PRETTY_NAME') ?? 'an unknown system'} on ${arch}`;
  return (
    `the cross builds use Debian's own packages (rustc-web, rust-web-src, cross linkers), which Debian 12 and 13 on x64 ` +
    `have; this machine is ${machine}. Run it on such a machine or container (the release workflow uses node:22-bookworm).`
  );
};

/** Throws, saying why, when this machine cannot run the cross builds. */
export const requireDebian = () => {
  const why = notDebian(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined);
  if (why) throw new Error(why);
};

const debianRustc = '/usr/bin/rustc';
const debianCargo = '/usr/bin/cargo';
const installRust = () =>
  installDebian(
    ['rustc-web', 'cargo-web', 'rust-web-src', 'musl-tools', 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'gcc-mingw-w64-x86-64', 'llvm'],
    () =>
      [debianRustc, debianCargo, '/usr/lib/rustlib/src/rust/library/std'].every(existsSync) &&
      ['musl-gcc', 'aarch64-linux-gnu-gcc', 'x86_64-w64-mingw32-gcc', 'llvm-objcopy'].every(has)
  );

const zigVersions = { ziglang: '0.17.1', 'cargo-zigbuild': '0.24.1' };
/** Zig, cargo-zigbuild, and llvm-objcopy as rust-objcopy, on a PATH of their own. */
const zigPath = () => {
  const zig = path.join(cache, 'zig');
  once(`zig-${zigVersions.ziglang}`, () => {
    step(`installing ziglang ${zigVersions.ziglang} and cargo-zigbuild ${zigVersions['cargo-zigbuild']} (PyPI)`);
    const specs = Object.entries(zigVersions).map(([name, version]) => `${name}==${version}`);
    run('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--disable-pip-version-check', '--upgrade', '--target', zig, ...specs]);
  });
  const bin = path.join(cache, 'bin');
  mkdirSync(bin, { recursive: true });
  rmSync(path.join(bin, 'rust-objcopy'), { force: true });
  symlinkSync(output('sh', ['-c', 'command -v llvm-objcopy']).trim(), path.join(bin, 'rust-objcopy'));
  return [bin, path.join(zig, 'bin'), path.join(zig, 'ziglang'), process.env.PATH].join(':');
};

/** The directory of the libnode.dll import library napi-build links. */
const libnodeDir = () => {
  const dir = path.join(cache, 'libnode');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'node.def'), 'LIBRARY node.exe\nEXPORTS\n  napi_module_register\n');
  run('x86_64-w64-mingw32-dlltool', ['-d', path.join(dir, 'node.def'), '-l', path.join(dir, 'libnode.dll'), '-D', 'node.exe']);
  return dir;
};

/** Work done once into .cache/platforms (a marker file says it was). */
export const once = (marker, work) => {
  const done = path.join(cache, `${marker}.done`);
  if (existsSync(done)) return;
  work();
  writeFileSync(done, new Date().toISOString());
};

/** A private apt state (its own lists and cache): downloads packages of other releases and
 * architectures without touching the machine's sources or installing anything. */
const aptDir = path.join(cache, 'apt');
const aptOptions = [
  ['Dir::Etc::SourceList', path.join(aptDir, 'sources.list')],
  ['Dir::Etc::SourceParts', '/dev/null'],
  ['Dir::State::Lists', path.join(aptDir, 'lists')],
  ['Dir::Cache', path.join(aptDir, 'cache')],
  ['Dir::State::Status', '/dev/null'],
  ['APT::Architectures::', 'amd64'],
  ['APT::Architectures::', 'arm64'],
  ['APT::Sandbox::User', 'root'],
].flatMap(([key, value]) => ['-o', `${key}=${value}`]);

/** Downloads Debian packages (`name:arch=version` or `name:arch/suite`) and unpacks each into `.cache/platforms/<into>`. */
export const debianPackages = (marker, packages) =>
  once(marker, () => {
    step(`downloading ${packages.map(({ spec }) => spec).join(', ')} (Debian)`);
    once('apt-lists', () => {
      mkdirSync(path.join(aptDir, 'lists/partial'), { recursive: true });
      mkdirSync(path.join(aptDir, 'cache/archives/partial'), { recursive: true });
      const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
      const suites = ['trixie', 'bookworm'].map((suite) => `deb [signed-by=${keyring}] http://deb.debian.org/debian ${suite} main\n`);
      writeFileSync(path.join(aptDir, 'sources.list'), suites.join(''));
      run('apt-get', [...aptOptions, 'update', '-qq']);
    });
    const debs = path.join(cache, 'debs', marker);
    mkdirSync(debs, { recursive: true });
    run('apt-get', [...aptOptions, 'download', ...packages.map(({ spec }) => spec)], { cwd: debs });
    for (const { spec, into } of packages) {
      const [, name, arch] = /^([^:]+):([^=/]+)[=/]/.exec(spec);
      const deb = readdirSync(debs).find((file) => file.startsWith(`${name}_`) && file.endsWith(`_${arch}.deb`));
      run('dpkg-deb', ['-x', path.join(debs, deb), path.join(cache, into)]);
    }
  });

/**
 * A directory holding only libgcc_s.so.1 (the toolchain's, glibc-built): the musl link needs the
 * name to record `NEEDED libgcc_s.so.1`, which Alpine provides, but musl's specs hide the
 * toolchain's library directories, and adding them whole would let glibc's libc in.
 */
const libgccDir = (arch, from) => {
  const dir = path.join(cache, `libgcc-${arch}`);
  mkdirSync(dir, { recursive: true });
  rmSync(path.join(dir, 'libgcc_s.so.1'), { force: true });
  symlinkSync(from, path.join(dir, 'libgcc_s.so.1'));
  return dir;
};

/** A compiler wrapper whose name carries a hash of what it runs (the specs file included), so
 * that cargo relinks when the setup changes and reuses its builds when it does not. */
const compilerWrapper = (name, command, inputs = []) => {
  const script = `#!/bin/sh\nexec ${command} "$@"\n`;
  const hash = createHash('sha256').update(script);
  inputs.forEach((file) => hash.update(readFileSync(file)));
  const wrapper = path.join(cache, `${name}-${hash.digest('hex').slice(0, 10)}`);
  writeFileSync(wrapper, script);
  chmodSync(wrapper, 0o755);
  return wrapper;
};

/** Debian's musl-gcc, with libgcc_s to link against. */
const x64MuslGcc = () => compilerWrapper('x86_64-linux-musl-gcc', `musl-gcc -L"${libgccDir('x64', '/lib/x86_64-linux-gnu/libgcc_s.so.1')}"`);

/** `aarch64-linux-gnu-gcc` made to compile and link against the unpacked arm64 musl (bookworm's,
 * the release Alpine's musl is newer and keeps its interface). */
const arm64MuslGcc = () => {
  debianPackages('musl-link-arm64', ['musl', 'musl-dev'].map((name) => ({ spec: `${name}:arm64=1.2.3-1`, into: 'musl-link-arm64' })));
  const sysroot = path.join(cache, 'musl-link-arm64');
  const specs = path.join(cache, 'aarch64-musl-gcc.specs');
  const original = readFileSync(path.join(sysroot, 'usr/lib/aarch64-linux-musl/musl-gcc.specs'), 'utf8');
  writeFileSync(
    specs,
    original
      .replaceAll('/usr/include/aarch64-linux-musl', path.join(sysroot, 'usr/include/aarch64-linux-musl'))
      // libc.so (in lib/) before libc.a (in usr/lib/): a musl linked statically into the
      // binary would be a second libc in the process, and crashes it.
      .replaceAll('-L/usr/lib/aarch64-linux-musl', `-L${path.join(sysroot, 'lib/aarch64-linux-musl')} -L${path.join(sysroot, 'usr/lib/aarch64-linux-musl')}`)
      .replaceAll('/usr/lib/aarch64-linux-musl/', `${path.join(sysroot, 'usr/lib/aarch64-linux-musl')}/`)
  );
  const libgcc = libgccDir('arm64', '/usr/aarch64-linux-gnu/lib/libgcc_s.so.1');
  return compilerWrapper('aarch64-linux-musl-gcc', `aarch64-linux-gnu-gcc -specs "${specs}" -L"${libgcc}"`, [specs]);
};

/** The release rustflags of the musl targets (release.yml builds them with the same). */
export const muslRustflags = '-C target-feature=-crt-static';

/** The oldest macOS the binaries are built for: Node 22's own floor. */
export const macosDeploymentTarget = '11.0';

/** A dylib's own name, instead of the build machine's path of it. */
const installName = (triple) => `-C link-arg=-Wl,-install_name,@rpath/${binaryName(platformOfTriple(triple))}`;

const darwin = (triple) => ({
  cargo: ['zigbuild'],
  env: () => ({ PATH: zigPath(), MACOSX_DEPLOYMENT_TARGET: macosDeploymentTarget }),
  rustflags: installName(triple),
  library: 'libconnector_wechat_web.dylib',
});

/** How each target this machine's own toolchain cannot build is built here. */
const recipes = {
  'x86_64-unknown-linux-musl': { linker: x64MuslGcc, rustflags: muslRustflags, library: 'libconnector_wechat_web.so' },
  'aarch64-unknown-linux-gnu': { linker: () => 'aarch64-linux-gnu-gcc', library: 'libconnector_wechat_web.so' },
  'aarch64-unknown-linux-musl': { linker: arm64MuslGcc, rustflags: muslRustflags, library: 'libconnector_wechat_web.so' },
  'x86_64-apple-darwin': darwin('x86_64-apple-darwin'),
  'aarch64-apple-darwin': darwin('aarch64-apple-darwin'),
  'x86_64-pc-windows-gnu': {
    linker: () => 'x86_64-w64-mingw32-gcc',
    env: () => ({ LIBNODE_PATH: libnodeDir() }),
    library: 'connector_wechat_web.dll',
  },
};

/** The targets this script builds. */
export const crossTriples = Object.keys(recipes);

/** Builds `triple` with the release profile; returns the built library's path. */
export const buildTarget = (triple) => {
  const recipe = recipes[triple];
  if (!recipe) throw new Error(`no recipe for ${triple} here`);
  requireDebian();
  installRust();
  step(`building ${triple} (release profile)`);
  const upper = triple.toUpperCase().replaceAll('-', '_');
  const cc = recipe.linker?.();
  const env = {
    ...process.env,
    RUSTC: debianRustc,
    RUSTC_BOOTSTRAP: '1',
    ...(cc ? { [`CARGO_TARGET_${upper}_LINKER`]: cc, [`CC_${triple.replaceAll('-', '_')}`]: cc } : {}),
    ...(recipe.rustflags ? { [`CARGO_TARGET_${upper}_RUSTFLAGS`]: recipe.rustflags } : {}),
    ...recipe.env?.(),
  };
  delete env.RUSTUP_TOOLCHAIN;
  const args = [...(recipe.cargo ?? ['build']), '--release', '--lib', '--locked', '-Zbuild-std=std,panic_unwind', '--target', triple, '--target-dir', targetDir];
  run(debianCargo, args, { cwd: root, env });
  return path.join(targetDir, triple, 'release', recipe.library);
};
