/**
 * Corrective EQ stage: the MEASURED response (steady-state sines through the processor) matches the
 * designed sections' analytic response, the design matches the specification (bell gain at the
 * centre, Butterworth −3.01 dB corner and slope), mid/side routing is exact, and the output does not
 * depend on the block cutting.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EqStage, type EqParams } from '../../src/chain/spec.js';
import { cascadeMagnitudeDb } from '../../src/dsp/biquad.js';
import { createEq, designEq, MAX_BAND_FRACTION } from '../../src/dsp/eq.js';
import type { StereoProcessor } from '../../src/dsp/processor.js';
import { sameBits } from '../helpers/bits.js';
import { expectBlockInvariant } from '../helpers/blocks.js';
import { fitSine, midSide } from '../helpers/measure.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const RATES = [44100, 48000, 96000];
/** Chain-document input (defaults filled by the schema, as the renderer gets them). */
const eq = (p: z.input<typeof EqStage>): EqParams => EqStage.parse(p);

/**
 * Gain (dB) of mid and side for a sine fed as `input` ('mono': L = R; 'side': L = −R), measured by a
 * least-squares fit after 3 s of settling.
 */
function measure(p: StereoProcessor, fs: number, f: number, input: 'mono' | 'side'): { mid: number; side: number } {
  const settle = Math.round(3 * fs), span = Math.max(Math.round(0.25 * fs), Math.round((20 * fs) / f));
  const x = sine({ sampleRate: fs, frequency: f, samples: settle + span, amplitude: 0.25 });
  const left = x.slice(), right = x.slice();
  if (input === 'side') for (let i = 0; i < right.length; i++) right[i] = -right[i];
  p.process(left, right);
  const w = (2 * Math.PI * f) / fs;
  const { mid, side } = midSide(left, right);
  const ref = fitSine(x, w, settle, settle + span).amplitude;
  const db = (y: Float32Array) => 20 * Math.log10(Math.max(fitSine(y, w, settle, settle + span).amplitude, 1e-30) / ref);
  return { mid: db(mid), side: db(side) };
}

const FREQS = [20, 25, 31.5, 40, 63, 100, 160, 250, 400, 630, 1000, 1600, 2500, 4000, 6300, 10000, 12500, 16000, 20000];

describe('measured response = designed response within 0.01 dB (brief: 0.1 dB)', () => {
  const params = eq({
    highpassHz: 30,
    highpassSlopeDbPerOct: 24,
    bands: [
      { type: 'lowShelf', frequencyHz: 100, gainDb: 3, q: 0.707, channel: 'stereo' },
      { type: 'bell', frequencyHz: 400, gainDb: -4, q: 1.5, channel: 'stereo' },
      { type: 'bell', frequencyHz: 3000, gainDb: 5, q: 0.8, channel: 'mid' },
      { type: 'highShelf', frequencyHz: 8000, gainDb: -3, q: 0.707, channel: 'mid' },
      { type: 'bell', frequencyHz: 150, gainDb: -8, q: 2, channel: 'side' },
      { type: 'highShelf', frequencyHz: 6000, gainDb: 4, q: 1, channel: 'side' },
    ],
  });
  for (const fs of RATES) {
    it(`mid and side responses, 20 Hz – 20 kHz (${fs} Hz)`, () => {
      const d = designEq(params, fs);
      const midDesign = [...d.highpass, ...d.stereo, ...d.mid], sideDesign = [...d.highpass, ...d.stereo, ...d.side];
      for (const f of FREQS) {
        const mono = measure(createEq(params, fs), fs, f, 'mono');
        const side = measure(createEq(params, fs), fs, f, 'side');
        expect(Math.abs(mono.mid - cascadeMagnitudeDb(midDesign, fs, f))).toBeLessThan(0.01);
        expect(Math.abs(side.side - cascadeMagnitudeDb(sideDesign, fs, f))).toBeLessThan(0.01);
        // No leakage between mid and side.
        expect(mono.side).toBeLessThan(-250);
        expect(side.mid).toBeLessThan(-250);
      }
    });
  }
  it('a 48 dB/oct high-pass at 60 Hz with a Q 10 bell at 20 Hz, measured at 48 kHz', () => {
    const fs = 48000;
    const p = eq({ highpassHz: 60, highpassSlopeDbPerOct: 48, bands: [{ type: 'bell', frequencyHz: 80, gainDb: 12, q: 10, channel: 'stereo' }] });
    const d = designEq(p, fs);
    for (const f of [40, 60, 70, 80, 90, 120, 1000]) {
      expect(Math.abs(measure(createEq(p, fs), fs, f, 'mono').mid - cascadeMagnitudeDb([...d.highpass, ...d.stereo], fs, f))).toBeLessThan(0.01);
    }
  });
  // One and two L/R sections and no mid/side run in their own single-pass kernels (the default chain's EQ is the second).
  it('one section (12 dB/oct high-pass) and two (plus a stereo bell): L and R measured at 44.1 kHz', () => {
    const fs = 44100;
    for (const p of [eq({ highpassHz: 25, highpassSlopeDbPerOct: 12 }), eq({ highpassHz: 25, highpassSlopeDbPerOct: 12, bands: [{ frequencyHz: 250, gainDb: -1.5, q: 1 }] })]) {
      const d = designEq(p, fs);
      expect(d.highpass.length + d.stereo.length).toBe(1 + p.bands.length);
      for (const f of [20, 25, 40, 100, 250, 1000, 10000]) {
        const design = cascadeMagnitudeDb([...d.highpass, ...d.stereo], fs, f);
        expect(Math.abs(measure(createEq(p, fs), fs, f, 'mono').mid - design), `${f} Hz`).toBeLessThan(0.01);
        expect(Math.abs(measure(createEq(p, fs), fs, f, 'side').side - design), `${f} Hz`).toBeLessThan(0.01);
      }
    }
  });
});

describe('the design meets the specification', () => {
  for (const fs of RATES) {
    it(`bell: gainDb exactly at the centre, 0 dB at DC and Nyquist; shelves reach their gain (${fs} Hz)`, () => {
      for (const channel of ['stereo', 'mid', 'side'] as const) {
        for (const [f, g, q] of [[50, 6, 0.7], [1000, -12, 4], [15000, 3, 0.3]]) {
          const d = designEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ type: 'bell', frequencyHz: f, gainDb: g, q, channel }] }), fs);
          expect(d[channel].length).toBe(1);
          expect(cascadeMagnitudeDb(d[channel], fs, f)).toBeCloseTo(g, 7);
          expect(cascadeMagnitudeDb(d[channel], fs, 0)).toBeCloseTo(0, 7);
          expect(cascadeMagnitudeDb(d[channel], fs, fs / 2)).toBeCloseTo(0, 7);
        }
      }
      const lo = designEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ type: 'lowShelf', frequencyHz: 200, gainDb: -5, q: 0.707 }] }), fs).stereo;
      const hi = designEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ type: 'highShelf', frequencyHz: 5000, gainDb: 4, q: 0.707 }] }), fs).stereo;
      expect(cascadeMagnitudeDb(lo, fs, 0)).toBeCloseTo(-5, 7);
      expect(cascadeMagnitudeDb(lo, fs, 200)).toBeCloseTo(-2.5, 7);
      expect(cascadeMagnitudeDb(hi, fs, fs / 2)).toBeCloseTo(4, 7);
      expect(cascadeMagnitudeDb(hi, fs, 5000)).toBeCloseTo(2, 7);
    });

    it(`Butterworth high-pass: −3.01 dB at highpassHz, 6 dB/oct per order below, flat above (${fs} Hz)`, () => {
      for (const slope of [6, 12, 18, 24, 36, 48] as const) {
        for (const fc of [10, 25, 60]) {
          const d = designEq(eq({ highpassHz: fc, highpassSlopeDbPerOct: slope }), fs);
          expect(d.highpass.length).toBe(Math.ceil(slope / 12));
          expect(cascadeMagnitudeDb(d.highpass, fs, fc)).toBeCloseTo(-3.0103, 4);
          const octave = cascadeMagnitudeDb(d.highpass, fs, fc / 16) - cascadeMagnitudeDb(d.highpass, fs, fc / 32);
          expect(octave).toBeCloseTo((slope / 6) * 6.0206, 1);
          // Maximally flat above: 1/(1 + (Ωc/Ω)^2n) at 1 kHz, Ω = tan(πf/fs) (pre-warped bilinear Butterworth).
          const ratio = Math.tan((Math.PI * fc) / fs) / Math.tan((Math.PI * 1000) / fs);
          expect(cascadeMagnitudeDb(d.highpass, fs, 1000)).toBeCloseTo(-10 * Math.log10(1 + ratio ** (slope / 3)), 6);
        }
      }
    });
  }

  it('slope 0 turns the high-pass off; 0 dB bands are left out', () => {
    const d = designEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ gainDb: 0 }, { gainDb: 0, channel: 'mid' }] }), 44100);
    expect(d).toEqual({ highpass: [], stereo: [], mid: [], side: [] });
  });

  it('a band above 0.49·fs is designed at 0.49·fs (stable, full gain there); 20 kHz at 44.1 kHz is left alone', () => {
    const fs = 22050;
    const d = designEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ type: 'bell', frequencyHz: 16000, gainDb: 6, q: 1 }] }), fs);
    expect(cascadeMagnitudeDb(d.stereo, fs, MAX_BAND_FRACTION * fs)).toBeCloseTo(6, 7);
    expect(Math.abs(d.stereo[0].a2)).toBeLessThan(1);
    const top = designEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ type: 'bell', frequencyHz: 20000, gainDb: 6, q: 1 }] }), 44100);
    expect(cascadeMagnitudeDb(top.stereo, 44100, 20000)).toBeCloseTo(6, 7);
  });
});

describe('mid/side routing is exact', () => {
  const fs = 48000;
  const x = seededNoise(3 * fs, 11, 0.5);
  const midBands = eq({
    highpassSlopeDbPerOct: 0,
    bands: [{ type: 'bell', frequencyHz: 500, gainDb: 9, q: 0.5, channel: 'mid' }, { type: 'lowShelf', frequencyHz: 100, gainDb: -6, channel: 'mid' }],
  });

  it('mid-only bands leave a pure-side signal (L = −R) bit-identical', () => {
    const left = x.slice(), right = x.map((v) => -v);
    createEq(midBands, fs).process(left, right);
    expect(sameBits(left, x)).toBe(true);
    expect(sameBits(right, x.map((v) => -v))).toBe(true);
  });

  it('with a high-pass too, adding mid bands changes a pure-side signal by not one bit', () => {
    const withMid = eq({ ...midBands, highpassSlopeDbPerOct: 18 });
    const without = eq({ highpassSlopeDbPerOct: 18 });
    const a = [x.slice(), x.map((v) => -v)], b = [x.slice(), x.map((v) => -v)];
    createEq(withMid, fs).process(a[0], a[1]);
    createEq(without, fs).process(b[0], b[1]);
    expect(sameBits(a[0], b[0]) && sameBits(a[1], b[1])).toBe(true);
    expect(sameBits(a[0], x)).toBe(false);
  });

  it('side-only bands leave a mono signal (L = R) bit-identical', () => {
    const p = eq({ highpassSlopeDbPerOct: 0, bands: [{ type: 'highShelf', frequencyHz: 4000, gainDb: 6, channel: 'side' }, { gainDb: -12, frequencyHz: 90, channel: 'side' }] });
    const left = x.slice(), right = x.slice();
    createEq(p, fs).process(left, right);
    expect(sameBits(left, x) && sameBits(right, x)).toBe(true);
  });

  it('a stereo band filters L and R alike (identical bits for identical channels)', () => {
    const p = eq({ highpassSlopeDbPerOct: 12, bands: [{ frequencyHz: 2000, gainDb: 4 }] });
    const left = x.slice(), right = x.slice();
    createEq(p, fs).process(left, right);
    expect(sameBits(left, right)).toBe(true);
    expect(sameBits(left, x)).toBe(false);
  });
});

describe('processor contract', () => {
  const fs = 44100;
  const full = eq({
    highpassHz: 40,
    highpassSlopeDbPerOct: 36,
    bands: [
      { type: 'bell', frequencyHz: 300, gainDb: 4, q: 3 },
      { type: 'highShelf', frequencyHz: 9000, gainDb: -3, channel: 'mid' },
      { type: 'lowShelf', frequencyHz: 120, gainDb: -6, channel: 'side' },
    ],
  });

  it('nothing active (no high-pass, 0 dB bands): output bits = input bits', () => {
    const x = seededNoise(10000, 2, 0.9), y = seededNoise(10000, 3, 0.9);
    const l = x.slice(), r = y.slice();
    const p = createEq(eq({ highpassSlopeDbPerOct: 0, bands: [{ gainDb: 0 }] }), fs);
    p.process(l, r);
    expect(p.latency).toBe(0);
    expect(sameBits(l, x) && sameBits(r, y)).toBe(true);
  });

  it('any block cutting (1, 7, 64, 4096) gives the one-shot output bit for bit, through a decay into silence', () => {
    // Loud noise, then 20 s of silence: the states decay through the 1e-30 flush threshold.
    const l0 = concat([seededNoise(fs, 5, 0.8), new Float32Array(20 * fs)]);
    const r0 = concat([seededNoise(fs, 6, 0.8), new Float32Array(20 * fs)]);
    expectBlockInvariant(() => createEq(full, fs), l0, r0);
  });

  it('after loud audio, enough silence gives exactly 0 output (states flushed, no denormals)', () => {
    const p = createEq(full, fs);
    p.process(seededNoise(fs, 7, 1), seededNoise(fs, 8, 1));
    const l = new Float32Array(60 * fs), r = new Float32Array(60 * fs);
    p.process(l, r);
    const tail = fs;
    expect(l.subarray(l.length - tail).every((v) => v === 0) && r.subarray(r.length - tail).every((v) => v === 0)).toBe(true);
    // …while the first samples of the silence still ring.
    expect(l[10] !== 0 && r[10] !== 0).toBe(true);
  });
});
