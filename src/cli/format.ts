/** Number formatting for people: fixed decimals, a unit, an en dash for an undefined value. */

export function fmt(value: number | null | undefined, decimals: number, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = value.toFixed(decimals).replace(/^-(0(\.0+)?)$/, '$1');
  return unit ? `${text} ${unit}` : text;
}

export function fmtSigned(value: number | null | undefined, decimals: number, unit = ''): string {
  const text = fmt(value, decimals, unit);
  return value !== null && value !== undefined && value > 0 && text !== '–' && !/^0(\.0+)?( |$)/.test(text) ? `+${text}` : text;
}

/** 31.5 → "31.5", 1000 → "1k", 12500 → "12.5k". */
export function fmtHz(hz: number): string {
  return hz >= 1000 ? `${+(hz / 1000).toFixed(2)}k` : `${+hz.toFixed(1)}`;
}

/** Two-column label/value table, labels padded to one width. */
export function table(rows: [string, string][], indent = '  '): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n');
}
