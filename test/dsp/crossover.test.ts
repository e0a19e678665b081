/**
 * Linkwitz–Riley crossover network, against the analytic LR4 responses of the bilinear-transformed
 * design: |LP| = 1/(1+Ω⁴), |HP| = Ω⁴/(1+Ω⁴), Ω = tan(πf/fs)/tan(πfc/fs) (−6.02 dB at fc), and the
 * allpass-compensated sum, flat (|Σ bands| = 1). Responses are measured as the FFT of the impulse
 * response of each band.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Fft } from '../../src/analysis/fft.js';
import { allpass, lowpass, processCascade, cascadeState } from '../../src/dsp/biquad.js';
import { Cascade, CrossoverNetwork, FLUSH_INTERVAL } from '../../src/dsp/crossover.js';
import { lr4 } from '../helpers/measure.js';
import { seededNoise } from '../helpers/signals.js';

const N = 1 << 16;
const fft = new Fft(N, 'real');
afterAll(() => fft.free());

/** Complex spectrum of x (length N): [re, im] at bin k, k = 0 … N/2 − 1. */
function spectrum(x: Float64Array): Float64Array {
  fft.input.set(x);
  fft.forward();
  const o = fft.output;
  const out = new Float64Array(N);
  out[0] = o[0];
  for (let k = 1; k < N / 2; k++) {
    out[2 * k] = o[2 * k];
    out[2 * k + 1] = o[2 * k + 1];
  }
  return out;
}

/** Analytic |band k| of the network: LPk · Π(j<k) HPj (the allpasses have magnitude 1). */
function bandMagnitude(k: number, f: number, crossovers: number[], fs: number): number {
  let m = k < crossovers.length ? lr4(f, crossovers[k], fs).low : 1;
  for (let j = 0; j < k; j++) m *= lr4(f, crossovers[j], fs).high;
  return m;
}

function impulseResponses(crossovers: number[], fs: number): Float64Array[] {
  const net = new CrossoverNetwork(fs, crossovers);
  const bands = Array.from({ length: net.bandCount }, () => new Float64Array(N));
  bands[net.bandCount - 1][0] = 1;
  net.split(N, bands, null);
  return bands;
}

const configs: number[][] = [
  [200, 3000],
  [120, 2500],
  [100, 800, 6000],
  [40, 1000, 16000],
];

describe('LR4 crossover network: bands sum flat, each band is the LR4 design', () => {
  for (const fs of [44100, 48000, 96000]) {
    for (const crossovers of configs) {
      it(`${crossovers.length + 1} bands at ${crossovers.join('/')} Hz, ${fs} Hz`, () => {
        const h = impulseResponses(crossovers, fs);
        const sum = new Float64Array(N);
        for (const b of h) for (let i = 0; i < N; i++) sum[i] += b[i];
        const spectra = h.map(spectrum);
        const sumSpec = spectrum(sum);
        let worstSum = 0, worstBand = 0, worstPhase = 0;
        for (let bin = 1; bin < N / 2; bin++) {
          const f = (bin * fs) / N;
          if (f < 20 || f > 20000) continue;
          const re = sumSpec[2 * bin], im = sumSpec[2 * bin + 1];
          const sumDb = 10 * Math.log10(re * re + im * im);
          worstSum = Math.max(worstSum, Math.abs(sumDb));
          spectra.forEach((s, k) => {
            const design = bandMagnitude(k, f, crossovers, fs);
            if (design < 1e-2) return; // compare down to −40 dB (the FFT is single precision)
            const measured = Math.hypot(s[2 * bin], s[2 * bin + 1]);
            worstBand = Math.max(worstBand, Math.abs(20 * Math.log10(measured / design)));
            // relative to the allpass sum the band is real and ≥ 0 (zero phase difference)
            const cross = (s[2 * bin + 1] * re - s[2 * bin] * im) / (re * re + im * im);
            worstPhase = Math.max(worstPhase, Math.abs(cross));
          });
        }
        console.log(`${crossovers.join('/')} Hz at ${fs} Hz: |sum| within ${worstSum.toExponential(1)} dB, bands within ${worstBand.toExponential(1)} dB of LR4`);
        expect(worstSum, 'sum of bands (dB)').toBeLessThan(0.001);
        expect(worstPhase, 'imaginary part of band / sum').toBeLessThan(1e-4);
        expect(worstBand, 'bands vs LR4 design (dB)').toBeLessThan(0.01);
      });
    }
  }

  it('each band is −6.02 dB at its crossover(s) (direct DFT at the exact frequency)', () => {
    const fs = 48000, crossovers = [100, 800, 6000];
    const h = impulseResponses(crossovers, fs);
    const at = (x: Float64Array, f: number) => {
      let re = 0, im = 0;
      const w = (2 * Math.PI * f) / fs;
      for (let n = 0; n < x.length; n++) {
        re += x[n] * Math.cos(w * n);
        im -= x[n] * Math.sin(w * n);
      }
      return 20 * Math.log10(Math.hypot(re, im));
    };
    crossovers.forEach((fc, k) => {
      for (const band of [k, k + 1]) {
        const measured = at(h[band], fc);
        expect(measured, `band ${band} at ${fc} Hz`).toBeCloseTo(20 * Math.log10(bandMagnitude(band, fc, crossovers, fs)), 4);
        expect(Math.abs(measured + 6.0206)).toBeLessThan(0.01); // the other crossovers are ≥ 2.9 octaves away
      }
    });
  });
});

describe('Cascade kernel', () => {
  it('matches biquad.ts processCascade (direct form I vs transposed II: same filter within 1e-12)', () => {
    const fs = 44100;
    const sections = [lowpass(fs, 80, Math.SQRT1_2), lowpass(fs, 80, Math.SQRT1_2), allpass(fs, 2000, Math.SQRT1_2)];
    const x = seededNoise(FLUSH_INTERVAL * 8, 5, 1);
    const ref = Float64Array.from(x);
    processCascade(sections, cascadeState(sections), ref);
    const c = new Cascade(sections);
    const a = Float64Array.from(x), b = Float64Array.from(x).map((v) => -v);
    for (let i = 0; i < x.length; i += FLUSH_INTERVAL) c.runStereo(a.subarray(i, i + FLUSH_INTERVAL), b.subarray(i, i + FLUSH_INTERVAL), FLUSH_INTERVAL);
    const mono = new Cascade(sections);
    const m = Float64Array.from(x);
    mono.run(m, m.length);
    for (let i = 0; i < x.length; i++) {
      expect(Math.abs(a[i] - ref[i])).toBeLessThan(1e-12);
      expect(b[i]).toBe(-a[i]); // both channels through the same recursion
      expect(m[i]).toBe(a[i]); // chunked stereo = one-shot mono, bit for bit
    }
  });

  it('rejects a crossover too close to Nyquist or not ascending', () => {
    expect(() => new CrossoverNetwork(22050, [200, 16000])).toThrow(/below 9922.5 Hz/);
    expect(() => new CrossoverNetwork(44100, [2000, 1000])).toThrow(/ascending/);
  });
});
