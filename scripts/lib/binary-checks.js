// The macOS and Windows binaries read with LLVM's tools (no macOS or real Windows runs here), for
// `npm run test:platforms`. Each check is [name, passed, what was found]; what a check expects is a
// parameter, so that the test can show each check fails when its expectation is not met.
import { execFileSync } from 'node:child_process';

const output = (command, args) => execFileSync(command, args, { encoding: 'utf8' });

/** Libraries every macOS has (libiconv and libcharset: Rust's std asks for iconv). */
export const macosLibraries = ['/usr/lib/libSystem.B.dylib', '/usr/lib/libiconv.2.dylib', '/usr/lib/libcharset.1.dylib'];

/** DLLs every Windows 10 and later has. */
export const windowsDlls = ['advapi32.dll', 'api-ms-win-core-synch-l1-2-0.dll', 'bcrypt.dll', 'bcryptprimitives.dll', 'kernel32.dll', 'msvcrt.dll', 'ntdll.dll', 'ws2_32.dll'];

const atMost = (version, floor) => {
  const [a, b] = [version, floor].map((text) => text.split('.').map(Number));
  return a[0] < b[0] || (a[0] === b[0] && (a[1] ?? 0) <= (b[1] ?? 0));
};

/** A Mach-O dylib: its architecture, entry point, libraries, install name, minimum macOS and,
 * on arm64, its signature. */
export const machOChecks = (file, { arch, floor, entry = '_napi_register_module_v1', libraries = macosLibraries, namePrefix = '@rpath/' }) => {
  const headers = output('llvm-objdump', ['--macho', '--private-headers', file]);
  const commands = headers.split(/^Load command \d+$/m).slice(1);
  const field = (command, name) => new RegExp(`^\\s*${name} (\\S+)`, 'm').exec(command)?.[1];
  const all = (cmd) => commands.filter((command) => field(command, 'cmd') === cmd);
  const cpu = /^MH_MAGIC_64\s+(\S+)/m.exec(headers)?.[1];
  const exported = output('llvm-nm', ['--extern-only', '--defined-only', file]).trim().split('\n').map((line) => line.split(/\s+/).at(-1));
  const linked = all('LC_LOAD_DYLIB').map((command) => field(command, 'name'));
  const names = [...all('LC_ID_DYLIB').map((command) => field(command, 'name')), ...all('LC_RPATH').map((command) => field(command, 'path'))];
  const minos = all('LC_BUILD_VERSION').map((command) => field(command, 'minos'));
  return [
    [`architecture ${arch}`, cpu === { x64: 'X86_64', arm64: 'ARM64' }[arch], cpu],
    [`exports ${entry}`, exported.includes(entry), `${exported.length} exported symbols`],
    ["links only macOS's own libraries", linked.length > 0 && linked.every((library) => libraries.includes(library)), linked.join(', ')],
    ['names no path of this machine', names.length === 1 && names[0].startsWith(namePrefix), names.join(', ')],
    [`minimum macOS at most ${floor}`, minos.length === 1 && atMost(minos[0], floor), `minos ${minos.join(', ')}`],
    // Apple silicon loads only signed code; the linker signs it ad hoc, as Apple's does.
    ...(arch === 'arm64' ? [['signed (ad hoc)', all('LC_CODE_SIGNATURE').length === 1, 'LC_CODE_SIGNATURE']] : []),
  ];
};

/** A PE DLL: it exports the module's entry, and imports Windows' own DLLs only (no MinGW
 * runtime DLL, which no Windows has). */
export const peChecks = (file, { entry = 'napi_register_module_v1', dlls = windowsDlls } = {}) => {
  const headers = output('llvm-objdump', ['-p', file]);
  const imports = [...new Set([...headers.matchAll(/DLL Name: (\S+)/g)].map(([, name]) => name.toLowerCase()))].sort();
  const exported = [...headers.matchAll(/^\s+\d+\s+0x[0-9a-f]+\s+(\S+)$/gm)].map(([, name]) => name);
  return [
    [`exports ${entry}`, exported.includes(entry), `${exported.length} exported symbols`],
    ["imports Windows' own DLLs only", imports.length > 0 && imports.every((name) => dlls.includes(name)), imports.join(', ')],
  ];
};

/** What each check expects, changed one at a time, in the order of the checks: with each
 * change, that check alone must fail. */
export const changedExpectations = {
  macOS: ({ arch }) => [
    ['the other architecture', { arch: arch === 'x64' ? 'arm64' : 'x64' }],
    ['another entry point', { entry: '_napi_register_module_v0' }],
    ['libiconv not allowed', { libraries: macosLibraries.filter((library) => !library.includes('iconv')) }],
    ['an install name under /Users/', { namePrefix: '/Users/' }],
    ['macOS 10.15 as the floor', { floor: '10.15' }],
  ],
  windows: () => [
    ['another entry point', { entry: 'napi_register_module_v0' }],
    ['kernel32.dll not allowed', { dlls: windowsDlls.filter((dll) => dll !== 'kernel32.dll') }],
  ],
};
