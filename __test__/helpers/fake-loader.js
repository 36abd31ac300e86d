// The generated loader (index.js) run with a stand-in `process` and `require`, so that it can be
// asked which binary it would load on a platform this machine is not: it answers with the file
// it required, among the files given as present.

export const glibcLdd = '#!/bin/bash\n# ldd from the GNU C Library\nTEXTDOMAIN=libc\n';
export const muslLdd = '#!/bin/sh\nexec /lib/ld-musl-x86_64.so.1 --list "$@"\n';

/**
 * @param {string} loaderSource the loader's text
 * @param {Set<string>} presentFiles the `./connector-wechat-web.<platform>.node` files there
 * @returns a function of a host — platform, arch, and the musl evidence: `ldd` (contents of
 *   /usr/bin/ldd or undefined when missing), `glibcRuntime` (process.report's header),
 *   `sharedObjects`, `lddVersion`, `env` — to `{ loaded, tried, error }`
 */
export const fakeLoader = (loaderSource, presentFiles) => {
  /** The loader's body as a function of (process, require), returning what it loaded. */
  const loader = new Function(
    'process',
    'require',
    `${loaderSource
      .replace(/^import \{ createRequire \} from 'module'$/m, '')
      .replace(/^const require = createRequire\(import\.meta\.url\)$/m, '')
      .replace(/^export .*$/gm, '')}\nreturn nativeBinding`
  );
  return ({ platform, arch, ldd, glibcRuntime, sharedObjects = [], lddVersion = '', env = {} }) => {
    const tried = [];
    const fakeRequire = (id) => {
      if (id === 'fs') {
        return {
          readFileSync: (file) => {
            if (file === '/usr/bin/ldd' && ldd !== undefined) return ldd;
            throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
          },
        };
      }
      if (id === 'child_process') {
        return { execSync: () => lddVersion };
      }
      tried.push(id);
      if (presentFiles.has(id)) {
        return { loadedFrom: id };
      }
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    const fakeProcess = {
      platform,
      arch,
      env,
      config: { variables: {} },
      versions: { node: '22.23.5' },
      report: {
        getReport: () => ({ header: glibcRuntime ? { glibcVersionRuntime: glibcRuntime } : {}, sharedObjects }),
      },
    };
    try {
      return { loaded: loader(fakeProcess, fakeRequire).loadedFrom, tried };
    } catch (error) {
      return { error, tried };
    }
  };
};
