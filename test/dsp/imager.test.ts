/**
 * Stereo imager, against analytic truth. With the mid passing the same allpasses as the side, the
 * side's response relative to the mid is real: G(f) = HPmono/AP · Σ wk·βk(f), with the LR4
 * weights βk = LPk/APk · Π(j<k) HPj/APj, LP/AP = 1/(1+Ω⁴), HP/AP = Ω⁴/(1+Ω⁴),
 * Ω = tan(πf/fs)/tan(πfc/fs). Measured with side-only and mid-only sines, hard-panned sines,
 * independent noises (correlation (1 − w²)/(1 + w²) for a uniform width w), and the impulse response.
 */
import { describe, expect, it } from 'vitest';
import { ImagerStage, type ImagerParams } from '../../src/chain/spec.js';
import { createImager } from '../../src/dsp/imager.js';
import { firstDifference, lastNonZero } from '../helpers/bits.js';
import { expectBlockInvariant, runInBlocks } from '../helpers/blocks.js';
import { lr4, midSide, toneAmplitude } from '../helpers/measure.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const params = (p: Partial<ImagerParams>): ImagerParams => ImagerStage.parse(p);

/** Analytic side gain relative to the mid (real). */
function sideGain(f: number, fs: number, p: ImagerParams): number {
  let g = 0;
  const xo = p.crossoversHz;
  p.widthPercent.forEach((w, k) => {
    let beta = k < xo.length ? lr4(f, xo[k], fs).low : 1;
    for (let j = 0; j < k; j++) beta *= lr4(f, xo[j], fs).high;
    g += (w / 100) * beta;
  });
  return p.monoBelowHz > 0 ? g * lr4(f, p.monoBelowHz, fs).high : g;
}

/** Runs a side-only (L = s, R = −s) or mid-only (L = R = s) sine; returns the output's side and mid amplitudes relative to the input. */
function measure(p: ImagerParams, fs: number, f: number, kind: 'side' | 'mid') {
  const seconds = Math.max(0.5, 40 / f);
  const s = sine({ sampleRate: fs, frequency: f, seconds: seconds + 0.5, amplitude: 0.25 });
  const l = s.slice(), r = kind === 'side' ? s.map((v) => -v) : s.slice();
  createImager(p, fs).process(l, r);
  const { mid, side } = midSide(l, r);
  const from = Math.round(0.5 * fs), to = from + Math.round(Math.floor(seconds * f) * (fs / f));
  return { side: toneAmplitude(side, f, fs, from, to) / 0.25, mid: toneAmplitude(mid, f, fs, from, to) / 0.25 };
}

describe('pass-through', () => {
  it('width 100 % everywhere and monoBelowHz 0: bit-exact, also when the crossovers are set', () => {
    const x = seededNoise(20000, 1, 1), y = seededNoise(20000, 2, 1);
    for (const p of [params({ monoBelowHz: 0 }), params({ monoBelowHz: 0, crossoversHz: [150, 900, 5000], widthPercent: [100, 100, 100, 100] }), params({ bypass: true, widthPercent: [0, 0, 0] })]) {
      const l = x.slice(), r = y.slice();
      createImager(p, 44100).process(l, r);
      expect(firstDifference(l, x)).toBe(-1);
      expect(firstDifference(r, y)).toBe(-1);
    }
  });

  it('a mono input stays exactly mono (L_out and R_out bit-identical) with widths and mono-below active', () => {
    const x = seededNoise(30000, 3, 0.8);
    const l = x.slice(), r = x.slice();
    createImager(params({ monoBelowHz: 120, crossoversHz: [300, 4000], widthPercent: [50, 150, 200] }), 48000).process(l, r);
    expect(firstDifference(l, r)).toBe(-1);
  });
});

describe('width per band (side-only sines in the middle of each band)', () => {
  for (const fs of [44100, 48000, 96000]) {
    it(`widths 50/150/200 % with crossovers 200/5000 Hz at ${fs} Hz: side gain = width within 0.1 dB, mid stays 0`, () => {
      const p = params({ monoBelowHz: 0, crossoversHz: [200, 5000], widthPercent: [50, 150, 200] });
      for (const [f, w] of [[50, 50], [1000, 150], [16000, 200]]) {
        const { side, mid } = measure(p, fs, f, 'side');
        const db = 20 * Math.log10(side);
        expect(Math.abs(db - 20 * Math.log10(w / 100)), `${f} Hz: ${db.toFixed(4)} dB`).toBeLessThan(0.1);
        expect(Math.abs(db - 20 * Math.log10(sideGain(f, fs, p))), `${f} Hz vs the analytic curve`).toBeLessThan(0.005);
        expect(mid).toBe(0);
      }
    });
  }

  it('width 0 in a band: the side there falls to the analytic leak of the neighbour band (−48 dB at 50 Hz)', () => {
    const fs = 48000;
    const p = params({ monoBelowHz: 0, crossoversHz: [200, 5000], widthPercent: [0, 100, 100] });
    const { side } = measure(p, fs, 50, 'side');
    const design = 20 * Math.log10(sideGain(50, fs, p));
    expect(design).toBeLessThan(-47);
    expect(20 * Math.log10(side)).toBeCloseTo(design, 1);
  });

  it('the whole side response (impulse, 4 widths + mono below) follows the analytic curve within 0.01 dB down to −40 dB', () => {
    const fs = 48000, n = 1 << 15;
    const p = params({ monoBelowHz: 90, crossoversHz: [250, 1500, 8000], widthPercent: [60, 130, 80, 170] });
    const l = new Float32Array(n), r = new Float32Array(n);
    l[0] = 0.5;
    r[0] = -0.5; // side impulse of 0.5
    const midL = new Float32Array(n), midR = new Float32Array(n);
    midL[0] = 0.5;
    midR[0] = 0.5; // mid impulse: the allpass the side is measured against
    createImager(p, fs).process(l, r);
    createImager(p, fs).process(midL, midR);
    let worst = 0;
    for (let f = 20; f <= 20000; f *= 1.05) {
      const w = (2 * Math.PI * f) / fs;
      let sr = 0, si = 0, mr = 0, mi = 0;
      for (let i = 0; i < n; i++) {
        const c = Math.cos(w * i), s = Math.sin(w * i);
        const side = 0.5 * (l[i] - r[i]), mid = 0.5 * (midL[i] + midR[i]);
        sr += side * c;
        si -= side * s;
        mr += mid * c;
        mi -= mid * s;
      }
      const design = sideGain(f, fs, p);
      // side / mid must be real: the ratio's imaginary part vanishes
      const den = mr * mr + mi * mi;
      const re = (sr * mr + si * mi) / den, im = (si * mr - sr * mi) / den;
      expect(Math.abs(20 * Math.log10(Math.hypot(mr, mi) / 0.5)), `mid allpass at ${f.toFixed(0)} Hz`).toBeLessThan(1e-4);
      expect(Math.abs(im), `phase of side/mid at ${f.toFixed(0)} Hz`).toBeLessThan(1e-5);
      if (design < 0.01) continue;
      worst = Math.max(worst, Math.abs(20 * Math.log10(re / design)));
    }
    expect(worst).toBeLessThan(0.01);
  });
});

describe('mono below monoBelowHz (LR4 high-pass on the side)', () => {
  const fs = 44100;
  const p = params({ monoBelowHz: 120, widthPercent: [100, 100, 100] });

  it('a side-only 40 Hz sine is down by > 24 dB (LR4: 38.3 dB), and everything at or below 60 Hz by > 24 dB', () => {
    const at40 = 20 * Math.log10(measure(p, fs, 40, 'side').side);
    console.log(`mono below 120 Hz: side at 40 Hz ${at40.toFixed(2)} dB`);
    expect(at40).toBeLessThan(-24);
    expect(at40).toBeCloseTo(20 * Math.log10(sideGain(40, fs, p)), 1); // −38.3 dB
    for (const f of [20, 30, 45, 60]) {
      const db = 20 * Math.log10(measure(p, fs, f, 'side').side);
      expect(db, `${f} Hz`).toBeLessThan(-24);
    }
  });

  it('above the corner the side is kept (−0.0 dB at 1 kHz) and the mid is untouched in magnitude at every frequency', () => {
    expect(Math.abs(20 * Math.log10(measure(p, fs, 1000, 'side').side))).toBeLessThan(0.01);
    for (const f of [30, 120, 1000, 10000]) {
      const { mid, side } = measure(p, fs, f, 'mid');
      expect(Math.abs(20 * Math.log10(mid)), `mid at ${f} Hz`).toBeLessThan(0.005);
      expect(side).toBe(0);
    }
  });

  it('no crosstalk: a hard-left 480 Hz sine leaves the right channel below −40 dB (an untouched mid would leak −9 dB)', () => {
    const x = sine({ sampleRate: fs, frequency: 480, seconds: 1, amplitude: 0.5 });
    const l = x.slice(), r = new Float32Array(x.length);
    createImager(p, fs).process(l, r);
    const from = fs / 2, to = from + Math.round(240 * (fs / 480));
    const leak = 20 * Math.log10(toneAmplitude(r, 480, fs, from, to) / toneAmplitude(l, 480, fs, from, to));
    console.log(`hard-left 480 Hz with mono below 120 Hz: right channel at ${leak.toFixed(1)} dB`);
    // R = M' − S' = AP·(x/2)·(1 − HP/AP) = AP·(x/2)/(1 + Ω⁴), Ω = 4
    const design = 20 * Math.log10(lr4(480, 120, fs).low / (1 + lr4(480, 120, fs).high));
    expect(leak).toBeLessThan(-40);
    expect(leak).toBeCloseTo(design, 0);
  });
});

describe('correlation of independent noises rises as the width goes to 0', () => {
  it('uniform width w: correlation (1 − w²)/(1 + w²), monotonic from 150 % to 0 %', () => {
    const fs = 44100;
    const x = seededNoise(fs, 11, 0.5), y = seededNoise(fs, 12, 0.5);
    let previous = -Infinity;
    for (const w of [150, 100, 50, 25, 0]) {
      const l = x.slice(), r = y.slice();
      createImager(params({ monoBelowHz: 0, widthPercent: [w, w, w] }), fs).process(l, r);
      let lr = 0, ll = 0, rr = 0;
      for (let i = 0; i < l.length; i++) {
        lr += l[i] * r[i];
        ll += l[i] * l[i];
        rr += r[i] * r[i];
      }
      const corr = lr / Math.sqrt(ll * rr);
      const g = w / 100;
      expect(Math.abs(corr - (1 - g * g) / (1 + g * g)), `width ${w} %: ${corr}`).toBeLessThan(0.02);
      expect(corr).toBeGreaterThan(previous);
      previous = corr;
    }
    expect(previous).toBeCloseTo(1, 12);
  });
});

describe('processor contract', () => {
  const fs = 48000;
  const p = params({ monoBelowHz: 100, crossoversHz: [250, 2000, 9000], widthPercent: [40, 120, 90, 180] });

  it('one-shot and blocks of 1, 7, 64, 4096 samples give identical bits', () => {
    const x = concat([seededNoise(fs / 2, 1, 0.9), new Float32Array(fs / 5), seededNoise(fs / 3, 5, 0.3)]);
    const y = concat([seededNoise(fs / 2, 2, 0.9), new Float32Array(fs / 5), seededNoise(fs / 3, 6, 0.3)]);
    expectBlockInvariant(() => createImager(p, fs), x, y);
  });

  it('after loud audio, 60 s of digital silence bring every state and the output to exactly 0', () => {
    const loud = seededNoise(fs, 7, 1), loudR = seededNoise(fs, 8, 1);
    const l = concat([loud, new Float32Array(60 * fs)]), r = concat([loudR, new Float32Array(60 * fs)]);
    const im = createImager(params({ monoBelowHz: 20, crossoversHz: [40, 400], widthPercent: [0, 200, 50] }), fs);
    runInBlocks(im, l, r, 4096);
    expect(im.state().every((v) => v === 0)).toBe(true);
    expect(lastNonZero(l, r)).toBeLessThan(loud.length + 20 * fs);
  });

  it('latency is 0', () => {
    expect(createImager(p, fs).latency).toBe(0);
  });
});
