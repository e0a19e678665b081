/**
 * Release metadata (title, artist, ISRC) of WAV deliverables: validation, and the two tag blocks common tools read —
 * a RIFF `LIST`/`INFO` chunk (INAM, IART, ISRC) and an ID3v2.4 tag in an `id3 ` chunk (TIT2, TPE1, TSRC).
 * The parsers are total: any byte sequence gives some (maybe empty) tags and never throws, so a damaged or foreign
 * tag never stops a file from decoding.
 */
import { UserError } from '../util/errors.js';
import type { ReleaseTags } from './types.js';

export type { ReleaseTags };

/** Longest title / artist accepted for writing, in Unicode code points. */
export const MAX_TAG_CHARS = 255;

const ISRC_EXPECTED =
  'expected CC-XXX-YY-NNNNN (2-letter country code, 3-character registrant code of letters/digits, 2-digit year, ' +
  '5-digit designation), with or without hyphens, e.g. US-S1Z-99-00001';
/**
 * ISO 3901 ISRC: country code, registrant code, year of reference, designation code. Hyphens (the display form) only
 * between the groups. No `u` flag on purpose: then `i` never folds a non-ASCII letter (ı, ſ, K) onto A-Z.
 */
const ISRC_RE = /^([A-Z]{2})-?([A-Z0-9]{3})-?([0-9]{2})-?([0-9]{5})$/i;

/** The canonical ISRC (12 upper-case characters, no hyphens) of `text`, or null if it is not a valid ISRC. */
export function tryParseIsrc(text: string): string | null {
  const m = ISRC_RE.exec(text.trim());
  return m ? (m[1] + m[2] + m[3] + m[4]).toUpperCase() : null;
}

/**
 * Validates an ISRC given with or without hyphens, in any case; returns the canonical 12-character upper-case form
 * that ID3 TSRC and most tools store. Throws a one-line UserError naming the expected format.
 */
export function parseIsrc(text: string): string {
  const isrc = tryParseIsrc(text);
  if (isrc !== null) return isrc;
  throw new UserError(`invalid ISRC ${JSON.stringify(text)}: ${isrcProblem(text.trim())}; ${ISRC_EXPECTED}`);
}

function isrcProblem(text: string): string {
  const bare = text.replace(/-/g, '');
  if (bare.length !== 12) return `it has ${bare.length} characters without hyphens, an ISRC has 12`;
  const groups: [string, RegExp, string][] = [
    [bare.slice(0, 2), /^[A-Za-z]{2}$/, 'the country code must be 2 letters'],
    [bare.slice(2, 5), /^[A-Za-z0-9]{3}$/, 'the registrant code must be 3 letters or digits'],
    [bare.slice(5, 7), /^[0-9]{2}$/, 'the year must be 2 digits'],
    [bare.slice(7), /^[0-9]{5}$/, 'the designation code must be 5 digits'],
  ];
  for (const [part, re, rule] of groups) if (!re.test(part)) return `${rule} (got ${JSON.stringify(part)})`;
  return 'hyphens may only separate the groups';
}

/** Display form of a canonical ISRC (ISO 3901 §5: "ISRC CC-XXX-YY-NNNNN"); other text is returned as is. */
export function formatIsrc(isrc: string): string {
  const c = tryParseIsrc(isrc);
  return c === null ? isrc : `${c.slice(0, 2)}-${c.slice(2, 5)}-${c.slice(5, 7)}-${c.slice(7)}`;
}

// C0, DEL and C1 controls, and the Unicode line/paragraph separators: none belongs in a one-line tag.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A title or artist, trimmed; throws a one-line UserError if empty, too long, or holding control characters. */
export function checkTagText(field: 'title' | 'artist', text: string): string {
  const t = text.trim();
  if (t === '') throw new UserError(`the ${field} is empty`);
  const control = CONTROL_RE.exec(t);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new UserError(`the ${field} contains a control character (U+${code}); use plain text on one line`);
  }
  if (LONE_SURROGATE_RE.test(t)) throw new UserError(`the ${field} is not valid Unicode text (a lone surrogate)`);
  let chars = 0;
  for (const _ of t) chars++;
  if (chars > MAX_TAG_CHARS) throw new UserError(`the ${field} is ${chars} characters long; at most ${MAX_TAG_CHARS} are allowed`);
  return t;
}

/** Validated, normalised copy of `tags` (trimmed text, canonical ISRC), with only the fields that are set. */
export function validateReleaseTags(tags: ReleaseTags): ReleaseTags {
  const out: ReleaseTags = {};
  if (tags.title !== undefined) out.title = checkTagText('title', tags.title);
  if (tags.artist !== undefined) out.artist = checkTagText('artist', tags.artist);
  if (tags.isrc !== undefined) out.isrc = parseIsrc(tags.isrc);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

const utf8 = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** A RIFF chunk: id, little-endian body size, body, and a pad byte after an odd-sized body (RIFF spec, 1991). */
function riffChunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(ascii(id), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

/** Text fields in writing order: [RIFF INFO id, ID3v2.4 frame id, value]. */
function fields(tags: ReleaseTags): [string, string, string][] {
  const all: [string, string, string | undefined][] = [
    ['INAM', 'TIT2', tags.title],
    ['IART', 'TPE1', tags.artist],
    ['ISRC', 'TSRC', tags.isrc],
  ];
  return all.filter((f): f is [string, string, string] => f[2] !== undefined);
}

/**
 * A complete `LIST` chunk of form type `INFO`, or no bytes when no field is set. Each value is a NUL-terminated
 * ZSTR, word-aligned (RIFF spec, "INFO List Chunk"); written as UTF-8, which ffmpeg and current taggers read.
 * ISRC goes in INFO ISRC: the 1991 spec named that id "source", but mastering tools and ffmpeg use it for the ISRC.
 */
export function buildInfoList(tags: ReleaseTags): Uint8Array {
  const subs = fields(tags).map(([id, , value]) => riffChunk(id, concat([utf8.encode(value), new Uint8Array(1)])));
  return subs.length === 0 ? new Uint8Array(0) : riffChunk('LIST', concat([ascii('INFO'), ...subs]));
}

function synchsafe(out: Uint8Array, at: number, n: number): void {
  if (n >= 2 ** 28) throw new RangeError(`ID3v2 size ${n} does not fit in 28 bits`);
  out[at] = (n >>> 21) & 0x7f;
  out[at + 1] = (n >>> 14) & 0x7f;
  out[at + 2] = (n >>> 7) & 0x7f;
  out[at + 3] = n & 0x7f;
}

/**
 * An ID3v2.4.0 tag (id3.org "ID3 tag version 2.4.0 - Main Structure"): 10-byte header, then one text frame per
 * field with encoding byte 0x03 (UTF-8) and synchsafe sizes; no padding, no unsynchronisation. No bytes when empty.
 */
export function buildId3Tag(tags: ReleaseTags): Uint8Array {
  const frames = fields(tags).map(([, id, value]) => {
    const text = utf8.encode(value);
    const frame = new Uint8Array(10 + 1 + text.length);
    frame.set(ascii(id), 0);
    synchsafe(frame, 4, 1 + text.length);
    frame[10] = 0x03;
    frame.set(text, 11);
    return frame;
  });
  if (frames.length === 0) return new Uint8Array(0);
  const body = concat(frames);
  const header = Uint8Array.of(0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0);
  synchsafe(header, 6, body.length);
  return concat([header, body]);
}

/**
 * The metadata chunks a WAV file carries before its data chunk: `LIST`/`INFO` then `id3 `. Validates `tags`
 * first (UserError on bad input). No bytes when no field is set.
 */
export function wavMetadataChunks(tags: ReleaseTags | undefined): Uint8Array {
  if (!tags) return new Uint8Array(0);
  const valid = validateReleaseTags(tags);
  if (fields(valid).length === 0) return new Uint8Array(0);
  return concat([buildInfoList(valid), riffChunk('id3 ', buildId3Tag(valid))]);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function utf16(b: Uint8Array, littleEndian: boolean): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    const unit = littleEndian ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1];
    if (unit === 0) break; // terminator: v2.4 separates several values with it; the first is kept
    s += String.fromCharCode(unit);
  }
  return s;
}

function untilNul(b: Uint8Array): Uint8Array {
  const end = b.indexOf(0);
  return end < 0 ? b : b.subarray(0, end);
}

/** INFO text: UTF-8 when it is valid UTF-8, else the traditional 8-bit code page (read as latin-1). */
function infoText(b: Uint8Array): string {
  const bytes = untilNul(b);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return latin1(bytes);
  }
}

function setField(out: ReleaseTags, key: keyof ReleaseTags, text: string): void {
  if (out[key] !== undefined) return; // the first occurrence wins
  const t = text.trim();
  if (key === 'isrc') {
    // Only a valid ISRC is reported: INFO ISRC may hold the legacy "source" text of the 1991 spec.
    const isrc = tryParseIsrc(t);
    if (isrc !== null) out.isrc = isrc;
  } else if (t !== '') {
    out[key] = t;
  }
}

const INFO_KEYS: Record<string, keyof ReleaseTags> = { INAM: 'title', IART: 'artist', ISRC: 'isrc' };

/** Tags in the body of a `LIST` chunk (starting with its form type); {} unless the form type is `INFO`. */
export function parseInfoList(body: Uint8Array): ReleaseTags {
  const out: ReleaseTags = {};
  if (body.length < 4 || latin1(body.subarray(0, 4)) !== 'INFO') return out;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let at = 4; at + 8 <= body.length; ) {
    const id = latin1(body.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    const key = INFO_KEYS[id];
    if (key) setField(out, key, infoText(body.subarray(at + 8, Math.min(body.length, at + 8 + size))));
    at += 8 + size + (size & 1);
  }
  return out;
}

const ID3_KEYS: Record<string, keyof ReleaseTags> = {
  TIT2: 'title', TPE1: 'artist', TSRC: 'isrc', // v2.3 / v2.4
  TT2: 'title', TP1: 'artist', TRC: 'isrc', // v2.2
};

function readSynchsafe(b: Uint8Array, at: number): number {
  return ((b[at] & 0x7f) << 21) | ((b[at + 1] & 0x7f) << 14) | ((b[at + 2] & 0x7f) << 7) | (b[at + 3] & 0x7f);
}

function readUint32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Undoes ID3 unsynchronisation: every 0xFF 0x00 pair was 0xFF. */
function resync(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    out[n++] = b[i];
    if (b[i] === 0xff && b[i + 1] === 0x00) i++;
  }
  return out.subarray(0, n);
}

/** An ID3v2 text frame body: encoding byte, then text; the first of several NUL-separated values. */
function id3Text(data: Uint8Array): string {
  if (data.length === 0) return '';
  const text = data.subarray(1);
  switch (data[0]) {
    case 0:
      return latin1(untilNul(text));
    case 1: // UTF-16 with a byte-order mark (little-endian if it is missing)
      if (text[0] === 0xfe && text[1] === 0xff) return utf16(text.subarray(2), false);
      return utf16(text[0] === 0xff && text[1] === 0xfe ? text.subarray(2) : text, true);
    case 2:
      return utf16(text, false);
    case 3:
      return utf8Lenient.decode(untilNul(text));
    default:
      return '';
  }
}

/**
 * Title, artist and ISRC from an ID3v2.2/2.3/2.4 tag starting at byte 0 of `tag` (id3.org specifications):
 * tag-level and frame-level unsynchronisation, extended header, grouping byte and data length indicator are
 * handled; compressed or encrypted frames are skipped.
 */
export function parseId3v2(tag: Uint8Array): ReleaseTags {
  const out: ReleaseTags = {};
  if (tag.length < 10 || tag[0] !== 0x49 || tag[1] !== 0x44 || tag[2] !== 0x33) return out;
  const major = tag[3];
  const flags = tag[5];
  if (major < 2 || major > 4) return out;
  if (major === 2 && flags & 0x40) return out; // v2.2 "compression": no scheme was ever defined
  let body = tag.subarray(10, Math.min(tag.length, 10 + readSynchsafe(tag, 6)));
  const tagUnsync = (flags & 0x80) !== 0;
  if (tagUnsync && major < 4) body = resync(body); // v2.4 marks unsynchronisation per frame instead

  let at = 0;
  if (major >= 3 && flags & 0x40 && body.length >= 4) {
    // v2.3: the size excludes its own 4 bytes; v2.4: a synchsafe size of the whole extended header.
    at = major === 3 ? 4 + readUint32BE(body, 0) : readSynchsafe(body, 0);
  }
  const headerBytes = major === 2 ? 6 : 10;
  while (at + headerBytes <= body.length && body[at] !== 0) {
    const id = latin1(body.subarray(at, at + (major === 2 ? 3 : 4)));
    const size =
      major === 2 ? (body[at + 3] << 16) | (body[at + 4] << 8) | body[at + 5]
      : major === 3 ? readUint32BE(body, at + 4)
      : readSynchsafe(body, at + 4);
    const frameFlags = major === 2 ? 0 : (body[at + 8] << 8) | body[at + 9];
    let data = body.subarray(at + headerBytes, Math.min(body.length, at + headerBytes + size));
    at += headerBytes + size;
    const key = ID3_KEYS[id];
    if (!key) continue;
    if (major === 3) {
      if (frameFlags & 0x00c0) continue; // compressed or encrypted
      if (frameFlags & 0x0020) data = data.subarray(1); // group id
    } else if (major === 4) {
      if (frameFlags & 0x000c) continue; // compressed or encrypted
      if (frameFlags & 0x0002 || tagUnsync) data = resync(data);
      if (frameFlags & 0x0040) data = data.subarray(1); // group id
      if (frameFlags & 0x0001) data = data.subarray(4); // data length indicator
    }
    setField(out, key, id3Text(data));
  }
  return out;
}

/** id3 values first, INFO values where id3 has none; undefined when neither has any field. */
export function mergeTags(id3: ReleaseTags, info: ReleaseTags): ReleaseTags | undefined {
  const out: ReleaseTags = {};
  for (const key of ['title', 'artist', 'isrc'] as const) {
    const value = id3[key] ?? info[key];
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
