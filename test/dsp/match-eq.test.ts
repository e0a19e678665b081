/**
 * Matching EQ stage, tested through the renderer's latency convention (feed `latency` zeros after
 * the end, drop the first `latency` output samples): the realised impulse response against the
 * interpolated target, sines against the FIR's own response, phase/latency, mid/side isolation,
 * flat short-circuit, block-size independence and exact silence.
 */
import { describe, expect, it } from 'vitest';
import { MatchEqStage, type MatchEqParams } from '../../src/chain/spec.js';
import { firMagnitudeDb, monotoneCurve } from '../../src/dsp/fir.js';
import { createMatchEq, type MatchEqProcessor } from '../../src/dsp/match-eq.js';
import { sameBits } from '../helpers/bits.js';
import { expectBlockInvariant } from '../helpers/blocks.js';
import { roughGainsDb, SMOOTH_GAINS_DB as smooth, THIRD_OCTAVE_CENTRES as CENTRES } from '../helpers/curves.js';
import { energyShareOfFirstTenth, fitSine, worstDeviation } from '../helpers/measure.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const rough = roughGainsDb(77);
const zeros = CENTRES.map(() => 0);

const params = (p: Partial<MatchEqParams>): MatchEqParams => MatchEqStage.parse({ bypass: false, frequenciesHz: CENTRES, midGainsDb: zeros, sideGainsDb: zeros, ...p });

/** The renderer's convention: process (in blocks), feed `latency` zeros, drop the first `latency` samples. */
function render(p: MatchEqProcessor, left: Float32Array, right: Float32Array, block = 4096): [Float32Array, Float32Array] {
  const l = concat([left, new Float32Array(p.latency)]), r = concat([right, new Float32Array(p.latency)]);
  for (let i = 0; i < l.length; i += block) p.process(l.subarray(i, i + block), r.subarray(i, i + block));
  return [l.slice(p.latency), r.slice(p.latency)];
}

describe('realised response vs the interpolated target (±0.5 dB, 30 Hz – 16 kHz)', () => {
  for (const fs of [44100, 48000, 96000]) {
    for (const phase of ['linear', 'minimum'] as const) {
      it(`${phase} phase, smooth and rough curves, impulse response through the processor (${fs} Hz)`, () => {
        for (const gains of [smooth, rough]) {
          const p = createMatchEq(params({ phase, midGainsDb: gains, sideGainsDb: gains.map((g) => -g / 2) }), fs);
          const n = p.midTaps!.length;
          // A mono impulse excites the mid only; an anti-phase one the side only. Placed after the filter delay so that no tap is dropped.
          const at = p.filterDelay;
          const len = at + n + 16;
          const mono = [new Float32Array(len), new Float32Array(len)], anti = [new Float32Array(len), new Float32Array(len)];
          mono[0][at] = mono[1][at] = 1;
          anti[0][at] = 1;
          anti[1][at] = -1;
          const [ml, mr] = render(p, mono[0], mono[1]);
          p.free();
          const q = createMatchEq(params({ phase, midGainsDb: gains, sideGainsDb: gains.map((g) => -g / 2) }), fs);
          const [sl, sr] = render(q, anti[0], anti[1]);
          q.free();
          const midIr = new Float32Array(n), sideIr = new Float32Array(n);
          for (let k = 0; k < n; k++) {
            midIr[k] = 0.5 * (ml[k] + mr[k]);
            sideIr[k] = 0.5 * (sl[k] - sr[k]);
            expect(ml[k]).toBe(mr[k]);
            expect(sl[k] === -sr[k]).toBe(true);
          }
          // The impulse response is the designed FIR (aligned by the latency convention).
          let err = 0;
          for (let k = 0; k < n; k++) err = Math.max(err, Math.abs(midIr[k] - p.midTaps![k]), Math.abs(sideIr[k] - q.sideTaps![k]));
          expect(err).toBeLessThan(1e-5);
          const mid = monotoneCurve(CENTRES, gains), side = monotoneCurve(CENTRES, gains.map((g) => -g / 2));
          expect(Math.max(worstDeviation(midIr, fs, mid), worstDeviation(sideIr, fs, side))).toBeLessThan(0.5);
        }
      });
    }
  }
});

describe('steady-state sines through the processor match the FIR\'s own response within 0.1 dB', () => {
  for (const phase of ['linear', 'minimum'] as const) {
    it(`${phase} phase, 44.1 kHz, 30 Hz – 16 kHz; linear phase also keeps the sine's phase (latency exact)`, () => {
      const fs = 44100;
      for (const f of [30, 47, 80, 250, 1000, 3000, 7000, 16000]) {
        const p = createMatchEq(params({ phase, midGainsDb: rough }), fs);
        const len = Math.round(0.8 * fs) + p.midTaps!.length;
        const x = sine({ sampleRate: fs, frequency: f, samples: len, amplitude: 0.5 });
        const [l, r] = render(p, x, x);
        p.free();
        expect(sameBits(l, r)).toBe(true);
        const w = (2 * Math.PI * f) / fs;
        // Fit where the FIR is fully inside the sine on both sides.
        const from = p.midTaps!.length, to = len - p.midTaps!.length;
        const out = fitSine(l, w, from, to), ref = fitSine(x, w, from, to);
        expect(Math.abs(20 * Math.log10(out.amplitude / ref.amplitude) - firMagnitudeDb(p.midTaps!, fs, f))).toBeLessThan(0.1);
        if (phase === 'linear') expect(Math.abs(out.phase - ref.phase)).toBeLessThan(1e-4);
      }
    });
  }
});

describe('convolution precision', () => {
  it('the float32 FFT convolution is within −120 dB (re the output RMS) of a double-precision direct convolution', () => {
    const fs = 44100;
    // Both channels filtered (mid/side matrix on the spectra) and mid only (side delayed), with the
    // default FFT (4× the FIR: one 65536-point transform per 49154 samples) and the smallest (2×).
    for (const sideGainsDb of [smooth, zeros]) {
      for (const fftSize of [undefined, 32768]) {
        const p = createMatchEq(params({ midGainsDb: rough, sideGainsDb }), fs, { fftSize });
        expect(p.blockSize).toBe((fftSize ?? 65536) - 16383 + 1);
        const hm = p.midTaps!, hs = p.sideTaps, d = p.filterDelay;
        // Long enough that the checked samples straddle the boundary between two convolution blocks.
        const length = p.blockSize + hm.length + 600;
        const l = seededNoise(length, 8, 0.5), r = seededNoise(length, 9, 0.5);
        const m = new Float64Array(length).map((_, i) => 0.5 * (l[i] + r[i])), s = new Float64Array(length).map((_, i) => 0.5 * (l[i] - r[i]));
        const [yl, yr] = render(p, l, r);
        p.free();
        // Output sample n (latency removed) is Σ h[k]·x[n + D − k] (a flat side: s[n]); block boundaries fall at n = j·B − D.
        const conv = (h: Float32Array, x: Float64Array, n: number) => {
          let acc = 0;
          for (let k = 0; k < h.length; k++) {
            const i = n + d - k;
            if (i >= 0 && i < length) acc += h[k] * x[i];
          }
          return acc;
        };
        const boundary = p.blockSize - d;
        let err = 0, power = 0;
        for (let n = boundary - 200; n < boundary + 200; n++) {
          const ym = conv(hm, m, n), ys = hs ? conv(hs, s, n) : s[n];
          err += (yl[n] - (ym + ys)) ** 2 + (yr[n] - (ym - ys)) ** 2;
          power += (ym + ys) ** 2 + (ym - ys) ** 2;
        }
        expect(10 * Math.log10(err / power)).toBeLessThan(-120);
      }
    }
  });

  it('refuses an FFT too small for the FIR or not a power of two', () => {
    expect(() => createMatchEq(params({ midGainsDb: rough }), 44100, { fftSize: 16384 })).toThrow(RangeError);
    expect(() => createMatchEq(params({ midGainsDb: rough }), 44100, { fftSize: 40000 })).toThrow(RangeError);
  });
});

describe('phase, latency and taps', () => {
  it('linear phase: odd, exactly symmetric FIR; latency = block + (N−1)/2', () => {
    const p = createMatchEq(params({ midGainsDb: smooth, sideGainsDb: rough }), 44100);
    for (const h of [p.midTaps!, p.sideTaps!]) {
      expect(h.length).toBe(16383);
      for (let k = 0; k < h.length; k++) expect(h[k]).toBe(h[h.length - 1 - k]);
    }
    expect(p.filterDelay).toBe(8191);
    expect(p.latency).toBe(p.blockSize + 8191);
    p.free();
  });

  it('minimum phase: filter delay 0 (latency = the block buffering only), the same magnitude as linear phase, energy front-loaded', () => {
    const fs = 48000;
    const lin = createMatchEq(params({ midGainsDb: smooth }), fs), min = createMatchEq(params({ phase: 'minimum', midGainsDb: smooth }), fs);
    expect(min.filterDelay).toBe(0);
    expect(min.latency).toBe(min.blockSize);
    for (const f of [31, 80, 200, 1000, 3000, 10000, 16000]) {
      expect(Math.abs(firMagnitudeDb(min.midTaps!, fs, f) - firMagnitudeDb(lin.midTaps!, fs, f))).toBeLessThan(0.05);
    }
    expect(energyShareOfFirstTenth(min.midTaps!)).toBeGreaterThan(0.9);
    lin.free();
    min.free();
  });
});

describe('flat curves and mid/side isolation', () => {
  const fs = 44100;
  const l0 = seededNoise(fs, 1, 0.5), r0 = seededNoise(fs, 2, 0.5);

  it('a flat curve (all 0 dB, or no bands) is a no-op: latency 0, output bits = input bits', () => {
    for (const p of [createMatchEq(params({}), fs), createMatchEq(MatchEqStage.parse({ bypass: false }), fs)]) {
      expect(p.latency).toBe(0);
      const l = l0.slice(), r = r0.slice();
      p.process(l, r);
      expect(sameBits(l, l0) && sameBits(r, r0)).toBe(true);
    }
  });

  it('both channels filtered: a mono input gives bit-identical channels, an anti-phase one exactly opposite ones', () => {
    const p = createMatchEq(params({ midGainsDb: rough, sideGainsDb: smooth }), fs);
    const [ml, mr] = render(p, l0, l0);
    p.free();
    expect(sameBits(ml, mr)).toBe(true);
    const q = createMatchEq(params({ midGainsDb: rough, sideGainsDb: smooth }), fs);
    const [al, ar] = render(q, l0, l0.map((v) => -v));
    q.free();
    expect(sameBits(al, ar.map((v) => -v))).toBe(true);
    expect(al.some((v) => v !== 0) && !sameBits(al, l0)).toBe(true);
  });

  for (const phase of ['linear', 'minimum'] as const) {
    it(`a curve on mid only leaves a pure-side signal bit-identical; side only leaves mono bit-identical (${phase})`, () => {
      const side = l0.map((v) => -v);
      const [l, r] = render(createMatchEq(params({ phase, midGainsDb: rough }), fs), l0, side);
      expect(sameBits(l, l0) && sameBits(r, side)).toBe(true);
      const [ml, mr] = render(createMatchEq(params({ phase, sideGainsDb: rough }), fs), l0, l0);
      expect(sameBits(ml, l0) && sameBits(mr, l0)).toBe(true);
      // …and the filtered channel really is filtered.
      const [fl] = render(createMatchEq(params({ phase, midGainsDb: rough }), fs), l0, l0);
      expect(sameBits(fl, l0)).toBe(false);
    });
  }
});

describe('processor contract', () => {
  const fs = 44100;
  for (const [phase, sideGainsDb] of [['linear', rough], ['minimum', rough], ['linear', zeros]] as const) {
    it(`blocks of 1, 7, 64, 4096 give the one-shot output bit for bit (${phase}${sideGainsDb === zeros ? ', mid only' : ''})`, () => {
      const p0 = params({ phase, midGainsDb: smooth, sideGainsDb });
      const l0 = concat([seededNoise(fs, 3, 0.5), new Float32Array(fs)]), r0 = concat([seededNoise(fs, 4, 0.5), new Float32Array(fs)]);
      expectBlockInvariant(() => createMatchEq(p0, fs), l0, r0, { free: (p) => p.free() });
    });
  }

  it('after loud audio, silence longer than the FIR and a block gives exactly 0', () => {
    const p = createMatchEq(params({ midGainsDb: rough, sideGainsDb: smooth }), fs);
    p.process(seededNoise(fs, 5, 1), seededNoise(fs, 6, 1));
    const quiet = p.latency + p.midTaps!.length + p.blockSize;
    const l = new Float32Array(quiet + fs), r = new Float32Array(quiet + fs);
    p.process(l, r);
    expect(l.subarray(quiet).every((v) => v === 0) && r.subarray(quiet).every((v) => v === 0)).toBe(true);
    expect(l.subarray(0, p.latency).some((v) => v !== 0)).toBe(true);
    p.free();
  });

  it('free() releases the FFTs; processing afterwards is refused', () => {
    const p = createMatchEq(params({ midGainsDb: smooth }), fs);
    p.free();
    p.free();
    expect(() => p.process(new Float32Array(4), new Float32Array(4))).toThrow(/free/);
  });
});
