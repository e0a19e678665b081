/** Shared test helpers for src/io: hand-built containers, a seeded PRNG, temp dirs and sine measurements. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { AudioFileError } from '../../src/util/errors.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/io/', import.meta.url));
export { CORPUS } from '../helpers/corpus.js';

/** xorshift32 (Marsaglia 2003): the generator the noise fixtures were made with (make-fixtures.sh). */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Full-scale signed `bits`-bit integers from xorshift32 seeded 0x12345678 + channel (as in make-fixtures.sh). */
export function noiseInts(bits: number, channel: number, n: number): Int32Array {
  const next = xorshift32(0x12345678 + channel);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() / 2 ** (32 - bits)) - 2 ** (bits - 1);
  return out;
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'refmaster-io-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** Little/big-endian integer fields, written independently of the code under test. */
export function u16(v: number, le = true): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}
export function u32(v: number, le = true): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, le);
  return b;
}

/** An IFF/RIFF chunk with its pad byte after an odd-sized body. */
export function chunk(id: string, body: Uint8Array, le = true): Uint8Array {
  return concat(ascii(id), u32(body.length, le), body, body.length & 1 ? new Uint8Array(1) : new Uint8Array(0));
}

export function riffWave(...chunks: Uint8Array[]): Uint8Array {
  const body = concat(ascii('WAVE'), ...chunks);
  return concat(ascii('RIFF'), u32(body.length), body);
}

/** WAVEFORMATEX (16 bytes, or 18 with cbSize when `cbSize` is given). */
export function fmtBody(tag: number, channels: number, rate: number, bits: number, blockAlign = (channels * bits) / 8): Uint8Array {
  return concat(u16(tag), u16(channels), u32(rate), u32(rate * blockAlign), u16(blockAlign), u16(bits));
}

/** WAVEFORMATEXTENSIBLE with a KSDATAFORMAT_SUBTYPE GUID built from `subTag`. */
export function fmtExtensible(subTag: number, channels: number, rate: number, bits: number, validBits: number): Uint8Array {
  const guid = concat(u16(subTag), Uint8Array.of(0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71));
  return concat(fmtBody(0xfffe, channels, rate, bits), u16(22), u16(validBits), u32(channels === 2 ? 3 : 4), guid);
}

/** IEEE 754 80-bit extended for a positive integer (exact), big-endian, via BigInt. */
export function extended80(value: number): Uint8Array {
  const e = Math.floor(Math.log2(value));
  const mantissa = BigInt(value) << BigInt(63 - e);
  const out = new Uint8Array(10);
  const v = new DataView(out.buffer);
  v.setUint16(0, 16383 + e);
  v.setBigUint64(2, mantissa);
  return out;
}

/** A complete COMM chunk (AIFF, or AIFF-C when `compression` is given). */
export function aiffComm(channels: number, frames: number, bits: number, rate: number, compression?: string, name = ''): Uint8Array {
  const base = concat(u16(channels, false), u32(frames, false), u16(bits, false), extended80(rate));
  if (!compression) return chunk('COMM', base, false);
  // AIFF-C: compression type, then a Pascal string padded to an even total length.
  const pstring = concat(Uint8Array.of(name.length), ascii(name), name.length % 2 === 0 ? Uint8Array.of(0) : new Uint8Array(0));
  return chunk('COMM', concat(base, ascii(compression), pstring), false);
}

export function form(type: 'AIFF' | 'AIFC', ...chunks: Uint8Array[]): Uint8Array {
  const body = concat(ascii(type), ...chunks);
  return concat(ascii('FORM'), u32(body.length, false), body);
}

/** Asserts `p` rejects with a one-line AudioFileError `<path>: <problem>` whose problem matches. */
export async function expectFileError(p: Promise<unknown>, path: string, problem: RegExp | string): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioFileError);
  const message = (err as AudioFileError).message;
  expect(message.startsWith(`${path}: `)).toBe(true);
  expect(message).not.toContain('\n');
  const rest = message.slice(path.length + 2);
  if (typeof problem === 'string') expect(rest).toContain(problem);
  else expect(rest).toMatch(problem);
  return message;
}

export function rmsDb(x: Float32Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / (end - start));
}

/**
 * Frequency from rising zero crossings located by linear interpolation: (crossings - 1) periods between the
 * first and the last.
 */
export function zeroCrossingHz(x: Float32Array, start: number, end: number, sampleRate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = start + 1; i < end; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const t = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * sampleRate) / (last - first);
}
