// Version ranges, as npm reads them, for the ones this package's manifest uses (lib/check.js).

/** Whether `version` satisfies `range`, for the ranges this package's manifest uses: `||` of
 * space-separated `>=`, `<`, `^` (from 1.0.0 on) or exact comparators. */
export const satisfies = (version, range) => {
  const parse = (text) => {
    const parts = text.replace(/^v/, '').split('-')[0].split('.');
    return [0, 1, 2].map((index) => Number(parts[index] ?? 0));
  };
  const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const given = parse(version);
  const holds = (comparator) => {
    const [, operator, bound] = /^(>=|<|\^|=)?(\d+(?:\.\d+){0,2})$/.exec(comparator) ?? [];
    if (!bound) throw new Error(`cannot read the version range ${JSON.stringify(range)}`);
    const order = compare(given, parse(bound));
    if (operator === '>=') return order >= 0;
    if (operator === '<') return order < 0;
    if (operator === '^') return order >= 0 && given[0] === parse(bound)[0];
    return order === 0;
  };
  return range.split('||').some((alternative) => alternative.trim().split(/\s+/).every(holds));
};
