/**
 * Test-signal generators: sines at a given peak level, frequency and phase; sequences of tone
 * segments (continuous phase, level stepping per segment, silence allowed); linear fades; seeded
 * noise. Everything is a Float32Array, filled in one loop, so minutes of audio cost tens of ms.
 */
import { dbToAmp } from '../../src/util/db.js';

/** Sample index at which time `seconds` starts (segment boundaries land on the nearest sample). */
export function sampleAt(seconds: number, sampleRate: number): number {
  return Math.round(seconds * sampleRate);
}

export interface SineSpec {
  sampleRate: number;
  frequency: number;
  /** Length in seconds (rounded to whole samples), or `samples`. */
  seconds?: number;
  samples?: number;
  /** Peak amplitude as dBFS (0 dBFS = amplitude 1.0) … */
  peakDbfs?: number;
  /** … or as a linear amplitude. */
  amplitude?: number;
  /** Phase of sample 0 in degrees: x[n] = A·sin(2π·f·n/fs + phase). */
  phaseDeg?: number;
}

export function sine(spec: SineSpec): Float32Array {
  const n = spec.samples ?? sampleAt(spec.seconds ?? 0, spec.sampleRate);
  const amplitude = spec.amplitude ?? dbToAmp(spec.peakDbfs ?? 0);
  const w = (2 * Math.PI * spec.frequency) / spec.sampleRate;
  const phase = ((spec.phaseDeg ?? 0) * Math.PI) / 180;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin(w * i + phase);
  return x;
}

export interface ToneSegment {
  seconds: number;
  /** Peak level of the sine in this segment; null for digital silence. */
  dbfs: number | null;
}

/**
 * One sine of `frequency`, continuous in phase across segments, whose peak level steps from
 * segment to segment (EBU Tech 3341/3342 style sequences). Segment k spans samples
 * [round(t_k·fs), round(t_{k+1}·fs)) where t_k is the sum of the previous durations.
 */
export function toneSequence(sampleRate: number, frequency: number, segments: ToneSegment[]): Float32Array {
  const total = sampleAt(segments.reduce((t, s) => t + s.seconds, 0), sampleRate);
  const x = new Float32Array(total);
  const w = (2 * Math.PI * frequency) / sampleRate;
  let t = 0;
  for (const seg of segments) {
    const start = sampleAt(t, sampleRate);
    t += seg.seconds;
    const end = sampleAt(t, sampleRate);
    if (seg.dbfs === null) continue;
    const a = dbToAmp(seg.dbfs);
    for (let i = start; i < end; i++) x[i] = a * Math.sin(w * i);
  }
  return x;
}

/**
 * Fade-in over the first `samples` and fade-out over the last `samples`, in place: linear, or
 * raised-cosine (continuous slope, so its band-limited reconstruction has no visible overshoot).
 */
export function fadeInOut(x: Float32Array, samples: number, shape: 'linear' | 'cosine' = 'linear'): Float32Array {
  const n = x.length;
  for (let i = 0; i < samples && i < n; i++) {
    const g = shape === 'linear' ? i / samples : 0.5 - 0.5 * Math.cos((Math.PI * i) / samples);
    x[i] *= g;
    x[n - 1 - i] *= g;
  }
  return x;
}

export { mulberry32 } from '../../src/util/random.js';
import { mulberry32 } from '../../src/util/random.js';

/** White noise, uniform in [−amplitude, amplitude), reproducible from `seed`. */
export function seededNoise(length: number, seed: number, amplitude = 1): Float32Array {
  const rand = mulberry32(seed);
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) x[i] = amplitude * (2 * rand() - 1);
  return x;
}

/** Concatenates arrays into one. */
export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
