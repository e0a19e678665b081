/** Number formatting for people: fixed decimals, a unit, an en dash for an undefined value. */
import { formatIsrc } from '../io/metadata.js';
import type { ReleaseTags } from '../io/types.js';

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

/**
 * Text from a file, quoted for a terminal: JSON escapes C0 controls, quotes and backslashes; DEL and the C1 controls
 * (U+009B is an 8-bit CSI) are escaped too, so a tag cannot inject terminal escape sequences.
 */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `title "…", artist "…", ISRC CC-XXX-YY-NNNNN` with only the fields present; '' when there are none. */
export function fmtTags(tags: ReleaseTags | undefined): string {
  if (!tags) return '';
  const parts: string[] = [];
  if (tags.title !== undefined) parts.push(`title ${quoted(tags.title)}`);
  if (tags.artist !== undefined) parts.push(`artist ${quoted(tags.artist)}`);
  if (tags.isrc !== undefined) parts.push(`ISRC ${formatIsrc(tags.isrc)}`);
  return parts.join(', ');
}
