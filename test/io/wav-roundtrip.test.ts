import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeFile, encodeWav, writeWavFile, type WavSampleFormat } from '../../src/io/index.js';
import { withTempDir, xorshift32 } from './helpers.js';

/** Random integer codes k in [-2^(b-1), 2^(b-1)-1] as floats k / 2^(b-1), with both extremes and zero included. */
function pcmSignal(bits: number, n: number, seed: number): Float32Array {
  const next = xorshift32(seed);
  const full = 2 ** (bits - 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (Math.floor(next() / 2 ** (32 - bits)) - full) / full;
  x[0] = -1;
  x[1] = (full - 1) / full;
  x[2] = 0;
  return x;
}

/** Random float32 bit patterns restricted to finite values, plus out-of-range and subnormal ones. */
function floatSignal(n: number, seed: number): Float32Array {
  const next = xorshift32(seed);
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // Exponent field ≤ 127 keeps |x| < 2 (finite); a float WAV may legitimately exceed ±1.0.
    const exponent = next() % 128;
    bits[i] = (next() & 0x807fffff) | (exponent << 23);
  }
  const x = new Float32Array(bits.buffer);
  x[0] = -1;
  x[1] = 1;
  x[2] = 1.5e-45; // smallest subnormal
  x[3] = -0;
  return x;
}

const FORMATS: [WavSampleFormat, string][] = [
  [{ kind: 'pcm', bits: 16 }, 'pcm_s16le'],
  [{ kind: 'pcm', bits: 24 }, 'pcm_s24le'],
  [{ kind: 'float', bits: 32 }, 'pcm_f32le'],
];

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe('WAV round trip: decode(encode(x)) === x bit for bit', () => {
  for (const [format, codec] of FORMATS) {
    for (const channels of [1, 2]) {
      for (const rate of [8000, 44100, 192000]) {
        it(`${codec}, ${channels} ch, ${rate} Hz`, async () => {
          const n = 5003; // odd, so 24-bit mono has an odd data size and a pad byte
          const input = Array.from({ length: channels }, (_, c) =>
            format.kind === 'float' ? floatSignal(n, 17 + c + rate) : pcmSignal(format.bits, n, 17 + c + rate),
          );
          const bytes = encodeWav(input, rate, format);
          expect(bytes.length % 2).toBe(0);
          const audio = await decodeBytes(bytes, 'x.wav');
          expect(audio.sampleRate).toBe(rate);
          expect(audio.source).toEqual({
            path: 'x.wav',
            container: 'wav',
            codec,
            bitDepth: format.bits,
            sampleRate: rate,
            channels,
            lossy: false,
            bitrateKbps: null,
          });
          expect(sameBits(audio.left, input[0])).toBe(true);
          if (channels === 1) expect(audio.right).toBe(audio.left);
          else expect(sameBits(audio.right, input[1])).toBe(true);
        });
      }
    }
  }

  for (const [format, codec] of FORMATS) {
    it(`writeWavFile → decodeFile, ${codec}: every sample kept (blocks longer than one write or read)`, async () => {
      await withTempDir(async (dir) => {
        const n = 800_000; // > one 65536-frame write block and > one 4 MiB read block
        const signal = (seed: number) => (format.kind === 'float' ? floatSignal(n, seed) : pcmSignal(format.bits, n, seed));
        const input = [signal(5), signal(6)];
        const path = join(dir, 'out.wav');
        await writeWavFile(path, input, 48000, format);
        const fromFile = await readFile(path);
        expect(Buffer.compare(fromFile, Buffer.from(encodeWav(input, 48000, format)))).toBe(0);
        const audio = await decodeFile(path);
        expect(audio.source.codec).toBe(codec);
        expect(sameBits(audio.left, input[0]) && sameBits(audio.right, input[1])).toBe(true);
        expect(await readdir(dir)).toEqual(['out.wav']); // no temporary file left
      });
    });
  }
});

describe('encodeWav header and quantisation', () => {
  it('writes the canonical 44-byte PCM header for 1-2 channels', () => {
    const bytes = encodeWav([new Float32Array(3), new Float32Array(3)], 44100, { kind: 'pcm', bits: 16 });
    const v = new DataView(bytes.buffer);
    const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
    expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    expect(bytes.length).toBe(44 + 12);
    expect(v.getUint32(4, true)).toBe(bytes.length - 8);
    expect(v.getUint32(16, true)).toBe(16);
    expect(v.getUint16(20, true)).toBe(1); // WAVE_FORMAT_PCM
    expect(v.getUint16(22, true)).toBe(2);
    expect(v.getUint32(24, true)).toBe(44100);
    expect(v.getUint32(28, true)).toBe(44100 * 4); // byte rate
    expect(v.getUint16(32, true)).toBe(4); // block align
    expect(v.getUint16(34, true)).toBe(16);
    expect(v.getUint32(40, true)).toBe(12);
  });

  it('writes IEEE float with a fact chunk, and EXTENSIBLE only above two channels', () => {
    const f = encodeWav([new Float32Array(5)], 48000, { kind: 'float', bits: 32 });
    const v = new DataView(f.buffer);
    expect(v.getUint16(20, true)).toBe(3); // WAVE_FORMAT_IEEE_FLOAT
    expect(v.getUint16(36, true)).toBe(0); // cbSize
    expect(String.fromCharCode(...f.subarray(38, 42))).toBe('fact');
    expect(v.getUint32(46, true)).toBe(5);

    const x = encodeWav([0, 1, 2].map(() => new Float32Array(2)), 48000, { kind: 'pcm', bits: 24 });
    const w = new DataView(x.buffer);
    expect(w.getUint16(20, true)).toBe(0xfffe);
    expect(w.getUint16(36, true)).toBe(22);
    expect(w.getUint16(44, true)).toBe(1); // SubFormat: KSDATAFORMAT_SUBTYPE_PCM
    expect(Array.from(x.subarray(46, 60))).toEqual([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);
  });

  it('rounds half away from zero and clips to the integer range (no dither)', () => {
    const q = 1 / 32768;
    const x = Float32Array.of(0.5 * q, -0.5 * q, 1.5 * q, 2.5 * q, -2.5 * q, 0.49 * q, 1, -1, 2, -2, 32766.6 * q);
    const bytes = encodeWav([x], 8000, { kind: 'pcm', bits: 16 });
    const codes = Array.from({ length: x.length }, (_, i) => new DataView(bytes.buffer).getInt16(44 + 2 * i, true));
    expect(codes).toEqual([1, -1, 2, 3, -3, 0, 32767, -32768, 32767, -32768, 32767]);

    const q24 = 1 / 8388608;
    const y = Float32Array.of(2.5 * q24, -2.5 * q24, 1, -1);
    const b24 = encodeWav([y], 8000, { kind: 'pcm', bits: 24 });
    const codes24 = Array.from({ length: y.length }, (_, i) => {
      const p = 44 + 3 * i;
      return ((b24[p + 2] << 24) >> 8) | (b24[p + 1] << 8) | b24[p];
    });
    expect(codes24).toEqual([3, -3, 8388607, -8388608]);
  });

  it('throws a plain Error (a bug, not a user error) on a non-finite sample', () => {
    expect(() => encodeWav([Float32Array.of(0, NaN)], 8000, { kind: 'pcm', bits: 16 })).toThrow(/non-finite sample NaN in channel 1 at sample 1/);
    expect(() => encodeWav([Float32Array.of(Infinity)], 8000, { kind: 'float', bits: 32 })).toThrow(/non-finite/);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], 8000, { kind: 'pcm', bits: 16 })).toThrow(RangeError);
  });
});
