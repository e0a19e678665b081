import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../../src/io/index.js';
import { ascii, chunk, concat, fmtBody, fmtExtensible, riffWave, u32 } from './helpers.js';

function le(bytesPerSample: number, ...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * bytesPerSample);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (bytesPerSample === 2) v.setInt16(2 * i, x, true);
    else if (bytesPerSample === 4) v.setInt32(4 * i, x, true);
    else {
      for (let k = 0; k < 3; k++) out[3 * i + k] = (x >> (8 * k)) & 0xff;
    }
  });
  return out;
}

describe('WAV decoding of hand-built files', () => {
  it('8-bit PCM is unsigned with 128 as zero', async () => {
    const wav = riffWave(chunk('fmt ', fmtBody(1, 1, 8000, 8)), chunk('data', Uint8Array.of(0, 128, 255, 64, 192)));
    const a = await decodeBytes(wav, 'u8.wav');
    expect(Array.from(a.left)).toEqual([-1, 0, 127 / 128, -0.5, 0.5]);
    expect(a.right).toBe(a.left);
    expect(a.source.codec).toBe('pcm_u8');
    expect(a.source.bitDepth).toBe(8);
  });

  it('32-bit integer PCM scales by 2^-31 (rounded to float32)', async () => {
    const codes = [-2147483648, 0, 2147483647, 16777216, -1, 123456789];
    const wav = riffWave(chunk('fmt ', fmtBody(1, 2, 48000, 32)), chunk('data', le(4, ...codes)));
    const a = await decodeBytes(wav, 's32.wav');
    expect(Array.from(a.left)).toEqual([codes[0], codes[2], codes[4]].map((k) => Math.fround(k / 2 ** 31)));
    expect(Array.from(a.right)).toEqual([codes[1], codes[3], codes[5]].map((k) => Math.fround(k / 2 ** 31)));
    expect(a.left[0]).toBe(-1);
    expect(a.source.codec).toBe('pcm_s32le');
  });

  it('64-bit IEEE float (tag 3) is rounded to float32, keeping values beyond ±1', async () => {
    const values = [0.25, -1.5, 1e-10, 0.1];
    const data = new Uint8Array(values.length * 8);
    values.forEach((x, i) => new DataView(data.buffer).setFloat64(8 * i, x, true));
    const a = await decodeBytes(riffWave(chunk('fmt ', fmtBody(3, 1, 96000, 64)), chunk('data', data)), 'f64.wav');
    expect(Array.from(a.left)).toEqual(values.map(Math.fround));
    expect(a.source).toMatchObject({ codec: 'pcm_f64le', bitDepth: 64, sampleRate: 96000, channels: 1 });
  });

  it('WAVE_FORMAT_EXTENSIBLE: PCM sub-format with 20 valid bits in 24, and IEEE float sub-format', async () => {
    // 20-bit codes left-justified in 24-bit containers: the low 4 bits are zero.
    const codes20 = [-524288, 524287, 1];
    const pcm = await decodeBytes(
      riffWave(chunk('fmt ', fmtExtensible(1, 1, 44100, 24, 20)), chunk('data', le(3, ...codes20.map((k) => k * 16)))),
      'ext.wav',
    );
    expect(Array.from(pcm.left)).toEqual(codes20.map((k) => k / 2 ** 19));
    expect(pcm.source).toMatchObject({ codec: 'pcm_s24le', bitDepth: 20 });

    const f = new Float32Array([0.5, -0.75, 0.125, 2]);
    const flt = await decodeBytes(
      riffWave(chunk('fmt ', fmtExtensible(3, 2, 44100, 32, 32)), chunk('data', new Uint8Array(f.buffer))),
      'extf.wav',
    );
    expect(Array.from(flt.left)).toEqual([0.5, 0.125]);
    expect(Array.from(flt.right)).toEqual([-0.75, 2]);
    expect(flt.source.codec).toBe('pcm_f32le');
  });

  it('skips unknown chunks, honours odd-size padding, and finds fmt after other chunks', async () => {
    const wav = riffWave(
      chunk('LIST', ascii('abc')), // odd size: one pad byte follows
      chunk('fmt ', fmtBody(1, 1, 22050, 16)),
      chunk('junk', ascii('x')),
      chunk('data', le(2, -32768, 16384, 32767)),
      chunk('id3 ', ascii('trailing')),
    );
    const a = await decodeBytes(wav, 'chunks.wav');
    expect(Array.from(a.left)).toEqual([-1, 0.5, 32767 / 32768]);
  });

  it('reads 20-bit plain PCM (bits 20, 3-byte containers) as left-justified 24-bit', async () => {
    const a = await decodeBytes(riffWave(chunk('fmt ', fmtBody(1, 1, 48000, 20, 3)), chunk('data', le(3, 16, -16))), 'p20.wav');
    expect(Array.from(a.left)).toEqual([1 / 2 ** 19, -1 / 2 ** 19]);
    expect(a.source.bitDepth).toBe(20);
  });

  it('reads to the end of the file when the data size is 0xFFFFFFFF (streamed WAV) and ignores a trailing partial frame', async () => {
    const streamed = concat(
      ascii('RIFF'), u32(0xffffffff), ascii('WAVE'),
      chunk('fmt ', fmtBody(1, 2, 44100, 16)),
      ascii('data'), u32(0xffffffff), le(2, 1, 2, 3, 4), Uint8Array.of(9, 9, 9), // 2 frames + 3 stray bytes
    );
    const a = await decodeBytes(streamed, 'pipe.wav');
    expect(Array.from(a.left, (x) => x * 32768)).toEqual([1, 3]);
    expect(Array.from(a.right, (x) => x * 32768)).toEqual([2, 4]);
  });
});
