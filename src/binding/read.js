// The binding's reader of JS values, compiled once per Node environment by src/binding/values.rs.
// It reads properties where reading them is cheap: through N-API each property read, string read
// or call costs tens of nanoseconds, and getAuthorizationUri needs some twenty of them, as much
// as the official connector's whole call. From JavaScript they cost a few nanoseconds each, and
// one N-API call brings all of them back. It decides nothing: validation, URLs and every answer
// are the Rust core's. Each property is read once.
//
// The script's value is a function of zod's type names (their codes are 'A' + index) and of the
// key lists (by index: see `Keys` in values.rs); it returns the reader.
(typeNames, keyLists) => {
  'use strict';

  // Each zod type name's one-letter code.
  const code = Object.fromEntries(typeNames.map((name, index) => [name, String.fromCharCode(65 + index)]));

  // zod 3's `getParsedType` (reading `then` and `catch` once each), as a code. For the other
  // primitives zod's names are `typeof`'s.
  const zodType = (value) => {
    const type = typeof value;
    if (type === 'number') return Number.isNaN(value) ? code.nan : code.number;
    if (type !== 'object') return code[type] ?? code.unknown;
    if (Array.isArray(value)) return code.array;
    if (value === null) return code.null;
    const { then } = value;
    if (typeof then === 'function' && typeof value.catch === 'function') return code.promise;
    if (value instanceof Map) return code.map;
    if (value instanceof Set) return code.set;
    if (value instanceof Date) return code.date;
    return code.object;
  };

  /**
   * Reads `value` (and, for getAuthorizationUri, its `payload`) into `[text, ...values]`.
   *
   * `text` is `${types}|${lengths}|${strings}`. `types` holds one code per entry: the value's zod
   * type; for an object, one per listed key, its value's type or `-` where absent (with
   * `presence`, absent means not `in` the object, as `safeParse` sees it; otherwise also
   * `undefined`, as the flows treat it); for a payload, one per part (`state`, `redirectUri`,
   * `scope`, `headers.userAgent`): `+` converted, `-` not given, `!` not convertible. `strings`
   * joins the strings read, in order; `lengths` gives their lengths in UTF-16 units.
   *
   * The values that follow are, with `presence`, the listed keys' own values (for the config
   * guard to hand back), then any payload part that `String()` threw on: the binding converts
   * it again, and throws, only once the config is known to be valid, as the official connector
   * converts the payload only then.
   */
  const read = (value, list, payload, presence) => {
    const out = [''];
    let types = zodType(value);
    let lengths = '';
    let strings = '';
    const addString = (text, type) => {
      types += type;
      lengths += `,${text.length}`;
      strings += text;
    };
    if (types === code.string) {
      lengths = `${value.length}`;
      strings = value;
    } else if (types === code.object) {
      const keys = keyLists[list];
      for (let index = 0; index < keys.length; index += 1) {
        const key = keys[index];
        const field = value[key];
        if (presence) out.push(field);
        const type = field === undefined && !(presence && key in value) ? '-' : zodType(field);
        if (type === code.string) addString(field, type);
        else types += type;
      }
    }
    if (payload !== null) {
      // As URLSearchParams and encodeURI convert them: `String()`, `scope` unless nullish.
      const { state, redirectUri, scope, headers } = payload;
      const convert = (part) => {
        let text;
        try {
          text = `${part}`;
        } catch {
          types += '!';
          out.push(part);
          return;
        }
        addString(text, '+');
      };
      convert(state);
      convert(redirectUri);
      if (scope === undefined || scope === null) types += '-';
      else convert(scope);
      const userAgent = typeof headers === 'object' && headers !== null ? headers.userAgent : undefined;
      if (typeof userAgent === 'string') addString(userAgent, '+');
      else types += '-';
    }
    out[0] = `${types}|${lengths}|${strings}`;
    return out;
  };

  return read;
};
