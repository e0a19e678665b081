import { describe, expect, it } from 'vitest';
import { readExtended80 } from '../../src/io/aiff-decode.js';
import { decodeBytes } from '../../src/io/index.js';
import { aiffComm, ascii, chunk, concat, expectFileError, extended80, form, u32 } from './helpers.js';

function be(bytesPerSample: number, ...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * bytesPerSample);
  values.forEach((x, i) => {
    for (let k = 0; k < bytesPerSample; k++) out[i * bytesPerSample + k] = (x >> (8 * (bytesPerSample - 1 - k))) & 0xff;
  });
  return out;
}

/** SSND body: offset, blockSize, then `offset` filler bytes before the samples. */
function ssnd(samples: Uint8Array, offset = 0): Uint8Array {
  return chunk('SSND', concat(u32(offset, false), u32(0, false), new Uint8Array(offset).fill(0xee), samples), false);
}

describe('80-bit IEEE extended sample rates', () => {
  it('decodes the byte patterns found in real AIFF files', () => {
    // Well-known COMM encodings: 44100 Hz = 400E AC44 0000..., 48000 Hz = 400E BB80 0000..., 8000 Hz = 400B FA00 0000...
    const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
    expect(readExtended80(bytes('400eac44000000000000'), 0)).toBe(44100);
    expect(readExtended80(bytes('400ebb80000000000000'), 0)).toBe(48000);
    expect(readExtended80(bytes('400bfa00000000000000'), 0)).toBe(8000);
    expect(Array.from(extended80(44100))).toEqual(Array.from(bytes('400eac44000000000000'))); // the test helper agrees
    expect(readExtended80(extended80(192000), 0)).toBe(192000);
  });
});

describe('AIFF and AIFF-C decoding of hand-built files', () => {
  it('AIFF 16-bit stereo big-endian, with an odd-sized chunk and an SSND offset', async () => {
    const file = form(
      'AIFF',
      chunk('NAME', ascii('abc'), false),
      aiffComm(2, 3, 16, 44100),
      ssnd(be(2, -32768, 32767, 16384, -16384, 1, 0), 4),
    );
    const a = await decodeBytes(file, 'a.aiff');
    expect(Array.from(a.left)).toEqual([-1, 0.5, 1 / 32768]);
    expect(Array.from(a.right)).toEqual([32767 / 32768, -0.5, 0]);
    expect(a.source).toEqual({
      path: 'a.aiff', container: 'aiff', codec: 'pcm_s16be', bitDepth: 16, sampleRate: 44100, channels: 2, lossy: false, bitrateKbps: null,
    });
  });

  it('AIFF 8-bit is signed, 24-bit big-endian, mono is dual-mono', async () => {
    const s8 = await decodeBytes(form('AIFF', aiffComm(1, 3, 8, 8000), ssnd(Uint8Array.of(0x80, 0x40, 0xff))), 's8.aif');
    expect(Array.from(s8.left)).toEqual([-1, 0.5, -1 / 128]);
    expect(s8.right).toBe(s8.left);
    expect(s8.source.codec).toBe('pcm_s8');
    const s24 = await decodeBytes(form('AIFF', aiffComm(1, 2, 24, 96000), ssnd(be(3, -8388608, 4194304))), 's24.aif');
    expect(Array.from(s24.left)).toEqual([-1, 0.5]);
    expect(s24.source).toMatchObject({ codec: 'pcm_s24be', bitDepth: 24, sampleRate: 96000 });
  });

  it("AIFF-C 'sowt' is little-endian PCM", async () => {
    const samples = Uint8Array.of(0x00, 0x80, 0x00, 0x40); // -32768, 16384 little-endian
    const a = await decodeBytes(form('AIFC', chunk('FVER', u32(0xa2805140, false), false), aiffComm(1, 2, 16, 48000, 'sowt', ''), ssnd(samples)), 'sowt.aifc');
    expect(Array.from(a.left)).toEqual([-1, 0.5]);
    expect(a.source.codec).toBe('pcm_s16le');
  });

  it("AIFF-C 'fl32' and 'FL64' are big-endian IEEE float", async () => {
    const f32 = new Uint8Array(8);
    new DataView(f32.buffer).setFloat32(0, 0.375);
    new DataView(f32.buffer).setFloat32(4, -1.25);
    const a = await decodeBytes(form('AIFC', aiffComm(2, 1, 32, 44100, 'fl32', '32-bit floating point'), ssnd(f32)), 'f.aifc');
    expect([a.left[0], a.right[0]]).toEqual([0.375, -1.25]);
    expect(a.source).toMatchObject({ codec: 'pcm_f32be', bitDepth: 32 });

    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, 0.1);
    const b = await decodeBytes(form('AIFC', aiffComm(1, 1, 64, 44100, 'FL64', 'float64'), ssnd(f64)), 'd.aifc');
    expect(b.left[0]).toBe(Math.fround(0.1));
    expect(b.source.codec).toBe('pcm_f64be');
  });

  it('refuses compressed AIFF-C naming its 4-character code, NaN floats, and short sound data', async () => {
    await expectFileError(
      decodeBytes(form('AIFC', aiffComm(1, 10, 16, 44100, 'ima4', 'IMA 4:1'), ssnd(new Uint8Array(20))), 'c.aifc'),
      'c.aifc',
      "unsupported AIFF-C compression 'ima4' (IMA 4:1)",
    );
    const nan = new Uint8Array(8);
    new DataView(nan.buffer).setFloat32(4, NaN);
    await expectFileError(
      decodeBytes(form('AIFC', aiffComm(1, 2, 32, 8000, 'fl32', ''), ssnd(nan)), 'n.aifc'),
      'n.aifc',
      'non-finite sample (NaN) in channel 1 at sample 1 (0.000 s)',
    );
    await expectFileError(
      decodeBytes(form('AIFF', aiffComm(2, 100, 16, 44100), ssnd(new Uint8Array(40))), 's.aiff'),
      's.aiff',
      'sound data declares 400 bytes (100 frames) but only 40 are present',
    );
    await expectFileError(decodeBytes(form('AIFF', aiffComm(2, 0, 16, 44100), ssnd(new Uint8Array(0))), 'z.aiff'), 'z.aiff', 'contains no audio samples');
    await expectFileError(decodeBytes(form('AIFF', aiffComm(1, 1, 16, 4000), ssnd(new Uint8Array(2))), 'r.aiff'), 'r.aiff', 'sample rate 4000 Hz');
    await expectFileError(decodeBytes(form('AIFF', aiffComm(6, 1, 16, 48000), ssnd(new Uint8Array(12))), 'c6.aiff'), 'c6.aiff', 'has 6 channels');
    await expectFileError(decodeBytes(form('AIFF', aiffComm(1, 1, 16, 48000)), 'nos.aiff'), 'nos.aiff', 'no SSND chunk');
  });
});
