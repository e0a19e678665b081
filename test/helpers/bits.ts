/** Bit-exact comparison and hashing of sample arrays, for tests that promise identical output bits. */
import { createHash } from 'node:crypto';

/** True when a and b hold the same bytes (so also the same length): stricter than toEqual (−0, NaN payloads). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Index of the first sample whose bits differ (−1: bit-identical); much faster than toEqual on long arrays. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** SHA-256 (hex) of the channels' sample bytes in order: one short string that stands for every bit. */
export function sha256OfChannels(channels: Float32Array[]): string {
  const h = createHash('sha256');
  for (const c of channels) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
}

/** Index of the last sample that is not exactly 0 in either channel (−1: all digital silence). */
export function lastNonZero(left: Float32Array, right: Float32Array): number {
  for (let i = Math.max(left.length, right.length) - 1; i >= 0; i--) if ((left[i] ?? 0) !== 0 || (right[i] ?? 0) !== 0) return i;
  return -1;
}
