/**
 * The output stage end to end: rate conversion then dither/quantisation, checked against the
 * analytic sine at the output rate (the only error left must be the dither's Δ²/4), lossless
 * through the WAV encoder, repeatable from the seed, and passing float32 through untouched.
 */
import { describe, expect, it } from 'vitest';
import { OutputStage } from '../../src/chain/spec.js';
import { renderOutput } from '../../src/dsp/output.js';
import { decodeBytes } from '../../src/io/decode.js';
import { encodeWav } from '../../src/io/wav-encode.js';
import { UserError } from '../../src/util/errors.js';
import { sha256OfChannels } from '../helpers/bits.js';
import { sine } from '../helpers/signals.js';

const params = (p: object) => OutputStage.parse(p);

describe('renderOutput', () => {
  const left = sine({ sampleRate: 44100, frequency: 1000, seconds: 2, peakDbfs: -20 });
  const right = sine({ sampleRate: 44100, frequency: 1000, seconds: 2, peakDbfs: -20, phaseDeg: 90 });

  it('passes float32 at the source rate through untouched', async () => {
    const out = await renderOutput(left, right, 44100, params({ format: 'float32' }));
    expect(out.sampleRate).toBe(44100);
    expect(out.format).toEqual({ kind: 'float', bits: 32 });
    expect(out.channels[0]).toBe(left);
    expect(out.channels[1]).toBe(right);
  });

  it('converts 44.1 → 48 kHz and dithers to 16 bits: the only error left is the dither noise Δ²/4', async () => {
    const before = sha256OfChannels([left, right]);
    const out = await renderOutput(left, right, 44100, params({ sampleRateHz: 48000, format: 'pcm16' }));
    expect(sha256OfChannels([left, right])).toBe(before); // inputs untouched
    expect(out.sampleRate).toBe(48000);
    expect(out.format).toEqual({ kind: 'pcm', bits: 16 });
    expect(out.channels[0].length).toBe(Math.round((left.length * 48000) / 44100));
    for (const [c, phaseDeg] of [
      [0, 0],
      [1, 90],
    ]) {
      const y = out.channels[c];
      const truth = sine({ sampleRate: 48000, frequency: 1000, samples: y.length, peakDbfs: -20, phaseDeg });
      const edge = 4800;
      let e2 = 0;
      for (let i = edge; i < y.length - edge; i++) e2 += (y[i] - truth[i]) ** 2;
      const lsb = 2 ** -15;
      expect(Math.abs(e2 / (y.length - 2 * edge) / (lsb * lsb / 4) - 1)).toBeLessThan(0.03);
    }
  });

  it('gives PCM samples that survive WAV encoding and decoding bit for bit', async () => {
    for (const format of ['pcm16', 'pcm24'] as const) {
      const out = await renderOutput(left, right, 44100, params({ format, noiseShaping: 'shaped' }));
      const decoded = await decodeBytes(encodeWav(out.channels, out.sampleRate, out.format), 'out.wav');
      expect(decoded.left).toEqual(out.channels[0]);
      expect(decoded.right).toEqual(out.channels[1]);
    }
  });

  it('is repeatable from the seed and changes with it', async () => {
    const p = params({ sampleRateHz: 48000, format: 'pcm24' });
    const a = await renderOutput(left, right, 44100, p);
    const b = await renderOutput(left, right, 44100, p);
    const c = await renderOutput(left, right, 44100, { ...p, ditherSeed: 2 });
    expect(sha256OfChannels(a.channels)).toBe(sha256OfChannels(b.channels));
    expect(sha256OfChannels(a.channels)).not.toBe(sha256OfChannels(c.channels));
  });

  it('applies the noise shaping it is asked for (total error +12.2 dB over plain TPDF)', async () => {
    const flat = await renderOutput(left, right, 44100, params({ format: 'pcm16' }));
    const shaped = await renderOutput(left, right, 44100, params({ format: 'pcm16', noiseShaping: 'shaped' }));
    const power = (y: Float32Array) => {
      let s = 0;
      for (let i = 0; i < y.length; i++) s += (y[i] - left[i]) ** 2;
      return s;
    };
    const gain = 1 + [2.033, -2.165, 1.959, -1.59, 0.6149].reduce((s, c) => s + c * c, 0);
    expect(10 * Math.log10(power(shaped.channels[0]) / power(flat.channels[0]))).toBeCloseTo(10 * Math.log10(gain), 1);
  });

  it('refuses an output rate outside 8000–192000 Hz', async () => {
    const err = await renderOutput(left, right, 44100, { ...params({}), sampleRateHz: 200000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain('200000 Hz');
  });
});
