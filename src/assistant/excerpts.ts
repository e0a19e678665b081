/**
 * The model's view of a track: the analyser's features of a few 10 s excerpts, the length the model
 * was trained on (training/generate.ts). Whole-track figures (a 5-minute loudness range, say) are
 * not what the model saw in training, and analysing a minute of excerpts instead of the whole track
 * is also what keeps a suggestion fast.
 */
import { analyzeAudio } from '../analysis/analyze.js';
import type { StereoAudio } from '../io/types.js';

export const MODEL_EXCERPT_S = 10;
const MAX_EXCERPTS = 6;

/** Features of up to MAX_EXCERPTS excerpts spread evenly over the track (silent ones skipped); the whole track if shorter. */
export function excerptFeatures(audio: StereoAudio): number[][] {
  const { left, right, sampleRate: fs } = audio;
  const n = Math.round(MODEL_EXCERPT_S * fs);
  if (left.length <= n) return [analyzeAudio(audio).features.values];
  const count = Math.min(MAX_EXCERPTS, Math.floor(left.length / n));
  const rows: number[][] = [];
  for (let k = 0; k < count; k++) {
    const start = Math.max(0, Math.min(left.length - n, Math.round(((k + 0.5) * left.length) / count - n / 2)));
    const report = analyzeAudio({ ...audio, left: left.subarray(start, start + n), right: right.subarray(start, start + n) });
    if (report.loudness.integratedLufs !== null) rows.push(report.features.values);
  }
  return rows.length > 0 ? rows : [analyzeAudio(audio).features.values];
}

/** The weighted mean of feature rows (several excerpts, or several references). */
export function meanFeatures(rows: number[][], weights?: number[]): number[] {
  const w = weights ?? rows.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  return rows[0].map((_, j) => rows.reduce((s, r, i) => s + w[i] * r[j], 0) / total);
}
