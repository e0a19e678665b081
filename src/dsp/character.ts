/**
 * Character stage: the "air" high shelf (corner `airFrequencyHz`, gain `airGainDb`, Q 0.707).
 *
 * WHY NOT THE COOKBOOK SHELF: the bilinear transform squeezes the whole analogue axis into
 * 0 … Nyquist, so near Nyquist the RBJ shelf reaches its full gain too early. At 44.1 kHz a
 * 20 kHz / −6 dB shelf is off by 2 dB at 18 kHz, a 16 kHz one by ~1 dB at 20 kHz.
 *
 * DESIGN: the intended response is the analogue RBJ prototype
 *   H(s) = A·(A·s² + (√A/Q)·s + 1) / (s² + (√A/Q)·s + A),  s = jf/f0,  A = 10^(gain/40)
 * (R. Bristow-Johnson, "Audio EQ Cookbook": 1 at DC, the full gain at high frequencies, half the dB
 * gain at f0). A biquad's squared magnitude is a ratio of two quadratics in φ = sin²(ω/2)
 * (M. Vicanek, "Matched Second Order Digital Filters", 2016):
 *   |H|² = (B0·(1−φ) + B1·φ + B2·4φ(1−φ)) / (A0·(1−φ) + A1·φ + A2·4φ(1−φ)),
 * so with A0 = 1 and B0 = 1 (the DC gain, held exact) we fit B1, B2, A1, A2 to the analogue |H|² in dB by Levenberg–Marquardt least squares on a
 * log-spaced grid from f0/16 up to min(20 kHz, Nyquist), starting from
 * the cookbook design; the coefficients are then recovered from the φ form (Vicanek, eq. 22–24).
 * Result: the design is within AIR_SHELF_TOLERANCE_DB of the analogue shelf from 20 Hz to 20 kHz at
 * 44.1 kHz and above over the whole parameter range (5–20 kHz, ±6 dB; tested). At lower rates the
 * fit covers 0 … Nyquist and is less exact (≈0.2 dB at 32 kHz). If the fit ever gave an unrealisable
 * or unstable filter, the cookbook shelf is used instead.
 */
import type { CharacterParams } from '../chain/spec.js';
import { type Biquad, highShelf } from './biquad.js';
import { MAX_BAND_FRACTION, StereoCascade } from './eq.js';
import type { StereoProcessor } from './processor.js';

export const AIR_Q = Math.SQRT1_2;
/** Highest frequency the air shelf is fitted to (the top of the audible band). */
export const AIR_FIT_MAX_HZ = 20000;
/** Largest deviation of the designed shelf from the analogue prototype up to 20 kHz, for fs ≥ 44.1 kHz. */
export const AIR_SHELF_TOLERANCE_DB = 0.1;

const FIT_POINTS = 256;
const FIT_ITERATIONS = 100;

/** |H(jf)|² of the analogue RBJ high shelf (the intended response). */
export function analogHighShelfPower(cornerHz: number, gainDb: number, q: number, frequencyHz: number): number {
  const a = 10 ** (gainDb / 40);
  const w2 = (frequencyHz / cornerHz) ** 2;
  const damping = (a / (q * q)) * w2;
  return (a * a * ((1 - a * w2) ** 2 + damping)) / ((a - w2) ** 2 + damping);
}

/** φ form of |c0 + c1·z⁻¹ + c2·z⁻²|²: P0·(1−φ) + P1·φ + P2·4φ(1−φ) (Vicanek 2016, eq. 11). */
function phiForm(c0: number, c1: number, c2: number): [number, number, number] {
  return [(c0 + c1 + c2) ** 2, (c0 - c1 + c2) ** 2, -4 * c0 * c2];
}

/** A real quadratic c0 + c1·z⁻¹ + c2·z⁻² with the given φ form, or null if there is none. */
function fromPhiForm(p0: number, p1: number, p2: number): [number, number, number] | null {
  if (!(p0 > 0 && p1 > 0)) return null;
  const r0 = Math.sqrt(p0), r1 = Math.sqrt(p1);
  const w = 0.5 * (r0 + r1);
  const d = w * w + p2;
  if (!(d >= 0)) return null;
  const c0 = 0.5 * (w + Math.sqrt(d));
  return [c0, 0.5 * (r0 - r1), -p2 / (4 * c0)];
}

function isStable(s: Biquad): boolean {
  return Math.abs(s.a2) < 1 && Math.abs(s.a1) < 1 + s.a2 && [s.b0, s.b1, s.b2, s.a1, s.a2].every(Number.isFinite);
}

/** Solves the 4×4 system m·x = v by Gaussian elimination with partial pivoting (m, v are overwritten). */
function solve4(m: number[][], v: number[]): number[] {
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    [v[c], v[p]] = [v[p], v[c]];
    for (let r = c + 1; r < 4; r++) {
      const k = m[r][c] / m[c][c];
      for (let j = c; j < 4; j++) m[r][j] -= k * m[c][j];
      v[r] -= k * v[c];
    }
  }
  const x = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) {
    let s = v[r];
    for (let j = r + 1; j < 4; j++) s -= m[r][j] * x[j];
    x[r] = s / m[r][r];
  }
  return x;
}

/** The air shelf biquad (see the file comment). 0 dB gives the identity. */
export function designAirShelf(sampleRate: number, cornerHz: number, gainDb: number, q = AIR_Q): Biquad {
  if (gainDb === 0) return { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };
  const cookbook = highShelf(sampleRate, Math.min(cornerHz, MAX_BAND_FRACTION * sampleRate), gainDb, q);
  const nyquist = sampleRate / 2;
  const hi = Math.min(AIR_FIT_MAX_HZ, nyquist);
  const lo = Math.min(cornerHz, hi) / 16;
  const phi = new Float64Array(FIT_POINTS), target = new Float64Array(FIT_POINTS);
  for (let i = 0; i < FIT_POINTS; i++) {
    const f = lo * (hi / lo) ** (i / (FIT_POINTS - 1));
    phi[i] = Math.sin((Math.PI * f) / sampleRate) ** 2;
    target[i] = Math.log(analogHighShelfPower(cornerHz, gainDb, q, f));
  }
  // Normalised so the denominator's DC term is 1; the numerator's DC term is then the DC power gain, 1.
  const [an0, an1, an2] = phiForm(1, cookbook.a1, cookbook.a2);
  const [bn0, bn1, bn2] = phiForm(cookbook.b0, cookbook.b1, cookbook.b2);
  const b0Power = analogHighShelfPower(cornerHz, gainDb, q, 0);
  // p = [B1, B2, A1, A2] of B(φ) = B0(1−φ) + B1·φ + B2·4φ(1−φ), A(φ) = (1−φ) + A1·φ + A2·4φ(1−φ).
  let p = [(bn1 / bn0) * b0Power, (bn2 / bn0) * b0Power, an1 / an0, an2 / an0];
  const residuals = (x: number[], out: Float64Array): number => {
    let cost = 0;
    for (let i = 0; i < FIT_POINTS; i++) {
      const f1 = phi[i], f0 = 1 - f1, f2 = 4 * f0 * f1;
      const bv = b0Power * f0 + x[0] * f1 + x[1] * f2, av = f0 + x[2] * f1 + x[3] * f2;
      if (!(bv > 0 && av > 0)) return Infinity;
      out[i] = Math.log(bv) - Math.log(av) - target[i];
      cost += out[i] * out[i];
    }
    return cost;
  };
  const e = new Float64Array(FIT_POINTS), trial = new Float64Array(FIT_POINTS);
  let cost = residuals(p, e);
  let lambda = 1e-3;
  for (let it = 0; it < FIT_ITERATIONS && Number.isFinite(cost); it++) {
    const jtj = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    const jte = [0, 0, 0, 0];
    for (let i = 0; i < FIT_POINTS; i++) {
      const f1 = phi[i], f0 = 1 - f1, f2 = 4 * f0 * f1;
      const bv = b0Power * f0 + p[0] * f1 + p[1] * f2, av = f0 + p[2] * f1 + p[3] * f2;
      const j = [f1 / bv, f2 / bv, -f1 / av, -f2 / av];
      for (let r = 0; r < 4; r++) {
        jte[r] -= j[r] * e[i];
        for (let c = 0; c < 4; c++) jtj[r][c] += j[r] * j[c];
      }
    }
    let improved = false;
    while (lambda < 1e12) {
      const m = jtj.map((row, r) => row.map((v, c) => (r === c ? v * (1 + lambda) : v)));
      const step = solve4(m, [...jte]);
      const next = p.map((v, k) => v + step[k]);
      const nextCost = residuals(next, trial);
      if (nextCost < cost) {
        const done = cost - nextCost <= 1e-14 * cost;
        p = next;
        cost = nextCost;
        e.set(trial);
        lambda = Math.max(lambda / 10, 1e-12);
        improved = !done;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  const num = fromPhiForm(b0Power, p[0], p[1]);
  const den = fromPhiForm(1, p[2], p[3]);
  if (!num || !den || !Number.isFinite(cost)) return cookbook;
  const fitted = { b0: num[0] / den[0], b1: num[1] / den[0], b2: num[2] / den[0], a1: den[1] / den[0], a2: den[2] / den[0] };
  return isStable(fitted) ? fitted : cookbook;
}

export interface CharacterProcessor extends StereoProcessor {
  /** The designed shelf (identity coefficients when the gain is 0). */
  readonly shelf: Biquad;
}

export function createCharacter(params: CharacterParams, sampleRate: number): CharacterProcessor {
  const shelf = designAirShelf(sampleRate, params.airFrequencyHz, params.airGainDb);
  const cascade = new StereoCascade(params.airGainDb === 0 ? [] : [shelf]);
  return {
    latency: 0,
    shelf,
    process: (left, right) => cascade.process(left, right),
  };
}
