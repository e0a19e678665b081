/**
 * fir.ts: the inverse FFT added to fft.ts, the monotone curve interpolation, linear- and
 * minimum-phase FIR designs against their target curves, and the FFT convolver against direct
 * convolution.
 */
import { describe, expect, it } from 'vitest';
import { Fft } from '../../src/analysis/fft.js';
import {
  designLinearPhaseFir,
  designMinimumPhaseFir,
  FftConvolver,
  firLength,
  firMagnitudeDb,
  type GainCurve,
  MidSideConvolver,
  monotoneCurve,
  sampleCurve,
} from '../../src/dsp/fir.js';
import { roughGainsDb, SMOOTH_GAINS_DB as smoothGains, THIRD_OCTAVE_CENTRES as CENTRES } from '../helpers/curves.js';
import { energyShareOfFirstTenth, spectrumDb, worstDeviation } from '../helpers/measure.js';
import { seededNoise } from '../helpers/signals.js';

const roughGains = roughGainsDb(2024);

describe('Fft.inverse', () => {
  it('inverts forward(): inverse(forward(x)) = N·x (real and complex)', () => {
    for (const kind of ['real', 'complex'] as const) {
      const size = 1024, fft = new Fft(size, kind);
      const x = seededNoise(kind === 'real' ? size : 2 * size, 9, 1);
      fft.input.set(x);
      fft.forward();
      fft.input.set(fft.output);
      fft.inverse();
      const y = fft.output;
      for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] / size - x[i])).toBeLessThan(1e-6);
      fft.free();
    }
  });
  it('maps single bins of the ordered real layout to DC, Nyquist and 2·cos(2πkn/N)', () => {
    const size = 64, fft = new Fft(size, 'real');
    const input = fft.input;
    input.fill(0);
    input[0] = 1;
    input[1] = 0.5;
    input[2 * 5] = 1;
    input[2 * 7 + 1] = 1;
    fft.inverse();
    const y = fft.output;
    for (let n = 0; n < size; n++) {
      const expected = 1 + 0.5 * (-1) ** n + 2 * Math.cos((2 * Math.PI * 5 * n) / size) - 2 * Math.sin((2 * Math.PI * 7 * n) / size);
      expect(y[n]).toBeCloseTo(expected, 5);
    }
    fft.free();
  });
});

describe('monotoneCurve (Fritsch–Carlson on log2 f)', () => {
  it('passes through every point exactly and is constant beyond the ends', () => {
    const c = monotoneCurve(CENTRES, roughGains);
    CENTRES.forEach((f, i) => expect(c(f)).toBeCloseTo(roughGains[i], 12));
    expect(c(0)).toBe(roughGains[0]);
    expect(c(5)).toBe(roughGains[0]);
    expect(c(24000)).toBe(roughGains[30]);
    expect(monotoneCurve([1000], [3])(20)).toBe(3);
  });
  it('does not overshoot: monotone data give a monotone curve, a step stays within its levels', () => {
    const f = [50, 100, 200, 400, 800, 1600];
    const c = monotoneCurve(f, [0, 0, 0, 6, 6, 6]);
    let prev = -Infinity;
    for (let x = 40; x < 2000; x *= 1.01) {
      const v = c(x);
      expect(v).toBeGreaterThanOrEqual(prev - 1e-12);
      // (1e-12: the cubic's rounding in the last bit)
      expect(v).toBeGreaterThanOrEqual(-1e-12);
      expect(v).toBeLessThanOrEqual(6 + 1e-12);
      prev = v;
    }
    // Between two equal points it is flat (no ripple).
    expect(c(70)).toBe(0);
  });
  it('reproduces a straight line in log f between interior points, and is C1 at the points', () => {
    const c = monotoneCurve(CENTRES, CENTRES.map((x) => 2 * Math.log2(x / 1000)));
    for (const x of [100, 150, 1000, 3333, 7000]) expect(c(x)).toBeCloseTo(2 * Math.log2(x / 1000), 9);
    const r = monotoneCurve(CENTRES, smoothGains);
    for (const knot of CENTRES.slice(1, -1)) {
      const e = 1e-6;
      const left = (r(knot) - r(knot * 2 ** -e)) / e, right = (r(knot * 2 ** e) - r(knot)) / e;
      expect(Math.abs(left - right)).toBeLessThan(1e-3);
    }
  });
  it('sampleCurve on a design grid gives the pointwise values bit for bit (fast path and plain curves)', () => {
    const shifted = CENTRES.map((f) => f * 1.07); // points off the grid's own spacing
    for (const [freqs, gains] of [[CENTRES, roughGains], [shifted, smoothGains], [[80, 5000], [3, -2]], [[1000], [4]]] as const) {
      const c = monotoneCurve(freqs, gains);
      const plain: GainCurve = (f) => c(f); // no fast path: the generic loop
      for (const [fs, size] of [[44100, 65536], [48000, 131072], [96000, 262144], [8000, 64]]) {
        const fast = new Float64Array(size / 2 + 1), slow = new Float64Array(size / 2 + 1);
        sampleCurve(c, fs, size, fast);
        sampleCurve(plain, fs, size, slow);
        let mismatches = 0;
        for (let k = 0; k < fast.length; k++) if (!Object.is(fast[k], c((k * fs) / size)) || !Object.is(slow[k], fast[k])) mismatches++;
        expect(mismatches).toBe(0);
        // The grid covers the constant parts below the first and above the last point too.
        expect(fast[0]).toBe(gains[0]);
        if (fs / 2 >= freqs[freqs.length - 1]) expect(fast[size / 2]).toBe(gains[gains.length - 1]);
      }
    }
  });
  it('refuses unsorted frequencies or mismatched lengths', () => {
    expect(() => monotoneCurve([100, 50], [0, 0])).toThrow(RangeError);
    expect(() => monotoneCurve([100, 200], [0])).toThrow(RangeError);
  });
});

describe('FIR design', () => {
  it('firLength: 0.37 s rounded to a power of two', () => {
    expect(firLength(44100)).toBe(16384);
    expect(firLength(48000)).toBe(16384);
    expect(firLength(96000)).toBe(32768);
    expect(firLength(192000)).toBe(65536);
  });

  for (const fs of [44100, 48000, 96000]) {
    it(`linear phase: exactly symmetric; magnitude within ±0.5 dB of the curve 30 Hz–16 kHz (${fs} Hz)`, () => {
      for (const gains of [smoothGains, roughGains]) {
        const curve = monotoneCurve(CENTRES, gains);
        const h = designLinearPhaseFir(curve, fs, firLength(fs) - 1);
        for (let k = 0; k < h.length; k++) expect(h[k]).toBe(h[h.length - 1 - k]);
        expect(worstDeviation(h, fs, curve)).toBeLessThan(0.5);
      }
    });

    it(`minimum phase: magnitude within ±0.5 dB 30 Hz–16 kHz, > 90 % of the energy in the first 10 % of taps (${fs} Hz)`, () => {
      for (const gains of [smoothGains, roughGains]) {
        const curve = monotoneCurve(CENTRES, gains);
        const h = designMinimumPhaseFir(curve, fs, firLength(fs));
        expect(worstDeviation(h, fs, curve)).toBeLessThan(0.5);
        expect(energyShareOfFirstTenth(h)).toBeGreaterThan(0.9);
      }
    });
  }

  it('the smooth curve is met far better than the limit: within 0.02 dB (linear) at 44.1 kHz', () => {
    const curve = monotoneCurve(CENTRES, smoothGains);
    expect(worstDeviation(designLinearPhaseFir(curve, 44100, 16383), 44100, curve)).toBeLessThan(0.02);
    expect(worstDeviation(designMinimumPhaseFir(curve, 44100, 16384), 44100, curve)).toBeLessThan(0.02);
  });

  it('minimum phase has minimum energy delay: its partial energies are never below the linear-phase design\'s', () => {
    // Among filters of one magnitude the minimum-phase one concentrates energy earliest
    // (Oppenheim & Schafer, Discrete-Time Signal Processing, §5.6.4).
    const curve = monotoneCurve(CENTRES, roughGains);
    const hm = designMinimumPhaseFir(curve, 48000, 4096), hl = designLinearPhaseFir(curve, 48000, 4095);
    let em = 0, el = 0, total = 0;
    for (const v of hm) total += v * v;
    for (let n = 0; n < 4095; n++) {
      em += hm[n] * hm[n];
      el += hl[n] * hl[n];
      expect(em).toBeGreaterThanOrEqual(el - 1e-4 * total);
    }
  });

  it('a constant curve gives a scaled unit impulse', () => {
    const h = designLinearPhaseFir(() => 6, 44100, 1023);
    expect(h[511]).toBeCloseTo(10 ** (6 / 20), 5);
    for (let k = 0; k < h.length; k++) if (k !== 511) expect(Math.abs(h[k])).toBeLessThan(1e-5);
    const m = designMinimumPhaseFir(() => -6, 44100, 1024);
    expect(m[0]).toBeCloseTo(10 ** (-6 / 20), 5);
    for (let k = 1; k < m.length; k++) expect(Math.abs(m[k])).toBeLessThan(1e-5);
  });

  it('firMagnitudeDb (direct DTFT) agrees with the FFT of the taps', () => {
    const curve = monotoneCurve(CENTRES, smoothGains);
    const h = designLinearPhaseFir(curve, 44100, 2047);
    const db = spectrumDb(h, 8192);
    for (const k of [1, 10, 100, 1000, 4000]) expect(firMagnitudeDb(h, 44100, (k * 44100) / 8192)).toBeCloseTo(db[k], 3);
  });

  it('refuses an even linear-phase length', () => {
    expect(() => designLinearPhaseFir(() => 0, 44100, 1024)).toThrow(RangeError);
  });
});

describe('FftConvolver', () => {
  /** Direct convolution in double precision. */
  function direct(h: Float32Array, x: Float32Array): Float64Array {
    const y = new Float64Array(x.length);
    for (let n = 0; n < x.length; n++) {
      let acc = 0;
      for (let k = 0; k < h.length && k <= n; k++) acc += h[k] * x[n - k];
      y[n] = acc;
    }
    return y;
  }
  // [taps, block, FFT size]: partitioned (FFT 2·block), one partition, and one partition of an FFT
  // larger than 2·block (block = FFT − taps + 1, not a power of two).
  for (const [taps, block, fftSize] of [[300, 64, 128], [300, 512, 1024], [257, 256, 512], [129, 128, 256], [300, 213, 512], [300, 1749, 2048], [2, 63, 64]]) {
    it(`${taps} taps in blocks of ${block}, FFT ${fftSize} = direct convolution within float32 rounding`, () => {
      const h = seededNoise(taps, 21, 0.2), x = seededNoise(block * 20, 22, 1);
      const want = direct(h, x);
      // Leave garbage in freed WebAssembly memory: the convolver must not read uninitialised spectra.
      const dirty = new Fft(4 * fftSize, 'complex');
      dirty.input.fill(NaN);
      dirty.forward();
      dirty.free();
      const conv = new FftConvolver(h, block, fftSize);
      expect(conv.partitions).toBe(taps <= fftSize - block + 1 ? 1 : Math.ceil(taps / block));
      const out = new Float32Array(block);
      let worst = 0;
      for (let b = 0; b < x.length; b += block) {
        conv.process(x.subarray(b, b + block), out);
        for (let i = 0; i < block; i++) worst = Math.max(worst, Math.abs(out[i] - want[b + i]));
      }
      conv.free();
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('refuses a block that leaves no room in the FFT, and partitions of an FFT other than 2·block', () => {
    const h = seededNoise(300, 23, 0.2);
    expect(() => new FftConvolver(h, 512, 512)).toThrow(RangeError);
    expect(() => new FftConvolver(h, 100, 256)).toThrow(/partition/); // 300 taps > 256 − 100 + 1
    const ok = new FftConvolver(h, 128, 256); // 3 partitions of 128 taps
    expect(ok.partitions).toBe(3);
    ok.free();
  });
});

describe('MidSideConvolver', () => {
  it('filters mid and side with their own FIRs, as direct convolutions of (L+R)/2 and (L−R)/2', () => {
    // FIRs of different lengths; a block that is not a power of two (FFT 512 − 300 + 1).
    const hm = seededNoise(300, 31, 0.2), hs = seededNoise(177, 32, 0.2);
    const block = 213, fftSize = 512;
    const l = seededNoise(block * 12, 33, 1), r = seededNoise(block * 12, 34, 1);
    const m = Float32Array.from(l, (v, i) => 0.5 * (v + r[i])), s = Float32Array.from(l, (v, i) => 0.5 * (v - r[i]));
    const direct = (h: Float32Array, x: Float32Array, n: number) => {
      let acc = 0;
      for (let k = 0; k < h.length && k <= n; k++) acc += h[k] * x[n - k];
      return acc;
    };
    const dirty = new Fft(4 * fftSize, 'complex'); // garbage left in freed WebAssembly memory
    dirty.input.fill(NaN);
    dirty.forward();
    dirty.free();
    const conv = new MidSideConvolver(hm, hs, block, fftSize);
    const outL = new Float32Array(block), outR = new Float32Array(block);
    let worst = 0;
    for (let b = 0; b < l.length; b += block) {
      conv.process(l.subarray(b, b + block), r.subarray(b, b + block), outL, outR);
      for (let i = 0; i < block; i++) {
        const ym = direct(hm, m, b + i), ys = direct(hs, s, b + i);
        worst = Math.max(worst, Math.abs(outL[i] - (ym + ys)), Math.abs(outR[i] - (ym - ys)));
      }
    }
    conv.free();
    expect(worst).toBeLessThan(1e-5);
  });

  it('refuses FIRs longer than the FFT leaves room for', () => {
    expect(() => new MidSideConvolver(new Float32Array(300), new Float32Array(10), 300, 512)).toThrow(RangeError);
  });
});
