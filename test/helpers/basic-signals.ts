/** Deterministic test signals shared by the tests and the benchmarks. */

/** `amplitude`·sin(2π·f·n/fs + phase) for `length` samples. */
export function sine(length: number, sampleRate: number, frequencyHz: number, amplitude: number, phaseRad = 0): Float32Array {
  const out = new Float32Array(length);
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let n = 0; n < length; n++) out[n] = amplitude * Math.sin(w * n + phaseRad);
  return out;
}

/** Uniform noise in [-amplitude, amplitude) from a seeded xorshift32, so every run sees the same signal. */
export function seededNoise(length: number, seed: number, amplitude: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * amplitude;
  }
  return out;
}
