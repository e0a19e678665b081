/**
 * The model's input row, built the same way in training and at inference: the analyzer's features
 * of the mix, of the reference (or of a target profile), and their difference, which is what most
 * moves answer to (a tilt the reference has and the mix lacks, a loudness range to close).
 */
import { FEATURES } from '../analysis/features.js';

/**
 * Reference features the chain cannot follow and training never varies: the side below 150 Hz and
 * its share (the chain makes bass mono), the absolute peaks (the limiter sets them) and the codec
 * flag. Real references differ there by tens of dB from anything seen in training, and the first
 * models extrapolated from them into moves against the other features; the input takes the mix's
 * values instead, so they carry no difference.
 */
const UNMATCHED = new Set<string>([
  'stereo.lowSideToMidDb', 'peak.samplePeakDbfs', 'peak.truePeakDbtp', 'source.lossy',
  ...FEATURES.map((f) => f.name).filter((n) => /^spectrum\.sideDb\.(\d+)Hz$/.test(n) && Number(/(\d+)Hz$/.exec(n)?.[1]) < 150),
]);
const unmatched = FEATURES.map((f) => UNMATCHED.has(f.name));

export function modelInputNames(): string[] {
  const names = FEATURES.map((f) => f.name);
  return [...names.map((n) => `mix.${n}`), ...names.map((n) => `reference.${n}`), ...names.map((n) => `difference.${n}`)];
}

export function modelInput(mix: ArrayLike<number>, reference: ArrayLike<number>): Float32Array {
  const F = FEATURES.length;
  if (mix.length !== F || reference.length !== F) throw new Error(`model input: expected ${F} features each, got ${mix.length} and ${reference.length}`);
  const row = new Float32Array(3 * F);
  for (let i = 0; i < F; i++) {
    row[i] = mix[i];
    const ref = unmatched[i] ? mix[i] : reference[i];
    row[F + i] = ref;
    row[2 * F + i] = ref - mix[i];
  }
  return row;
}
