/**
 * The model's input row, built the same way in training and at inference: the analyzer's features
 * of the mix, of the reference (or of a target profile), and their difference, which is what most
 * moves answer to (a tilt the reference has and the mix lacks, a loudness range to close).
 */
import { FEATURES } from '../analysis/features.js';

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
    row[F + i] = reference[i];
    row[2 * F + i] = reference[i] - mix[i];
  }
  return row;
}
