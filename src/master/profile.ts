/**
 * What reference matching compares: a track's loudness, dynamics, width and tonal balance, measured
 * on its musically active parts only. Active means the 400 ms blocks that BS.1770-4's relative gate
 * would count (within RELATIVE_GATE_LU of the integrated loudness), so silence, fades, quiet intros
 * and long tails do not pull a balance towards their own.
 *
 * Band levels are 1/3-octave (IEC 61260-1, 20 Hz–20 kHz, as the analyser's) mean powers of mid and
 * side relative to the integrated loudness: two tracks at different levels compare directly, and
 * several references combine after loudness normalisation.
 */
import { loudnessFromSubBlocks, kWeightedSubBlocks, INTEGRATED_RELATIVE_GATE_LU, SERIES_STEP, type LoudnessResult } from '../analysis/loudness.js';
import { longTermSpectrum, spectrumFromLtas, type LongTermSpectrum } from '../analysis/spectrum.js';
import { measureTruePeak } from '../analysis/truepeak.js';
import type { StereoAudio } from '../io/types.js';
import { dbToPower, finiteOrNull, powerToDb } from '../util/db.js';
import { AudioFileError } from '../util/errors.js';

export interface MatchProfile {
  file: string;
  sampleRate: number;
  durationS: number;
  /** Left and right are the same signal (mono file or identical channels): no width to measure or match. */
  mono: boolean;
  integratedLufs: number;
  truePeakDbtp: number;
  /** Peak-to-loudness ratio, dB. */
  plrDb: number;
  /** EBU Tech 3342 loudness range: the spread of the short-term loudness, LU. */
  loudnessRangeLu: number;
  /** Side/mid energy ratio of the active parts (0 mono). */
  width: number;
  bandsHz: number[];
  /** Active-part band levels, dB relative to the integrated loudness; null where the band holds nothing measurable. */
  midDb: (number | null)[];
  sideDb: (number | null)[];
  /** Seconds of active music the balance was measured on. */
  activeS: number;
}

/** BS.1770-4's relative gate, as the activity threshold. */
const RELATIVE_GATE_LU = -INTEGRATED_RELATIVE_GATE_LU;
/** Below this, a band is noise or a lossy codec's empty top (dB re integrated loudness). */
const BAND_FLOOR_DB = -100;
/** Duration of one momentary block and its step, s (BS.1770-4 §2.8). */
const BLOCK_S = 0.4;
const STEP_S = SERIES_STEP / 100;

function sameChannels(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The gated loudness a profile needs: throws when the track has none (silence, shorter than one gating block). */
export function gatedLoudness(loud: LoudnessResult, file: string): LoudnessResult & { integratedLufs: number } {
  if (loud.integratedLufs === null) throw new AudioFileError(file, 'has no music above the −70 LUFS gate (silent or shorter than 0.4 s)');
  return loud as LoudnessResult & { integratedLufs: number };
}

/**
 * The active parts as a frame filter for longTermSpectrum: a frame counts when the momentary block
 * centred nearest to its centre passes BS.1770-4's relative gate.
 */
export function activeFrames(loud: LoudnessResult & { integratedLufs: number }, fs: number): (start: number, size: number) => boolean {
  const gate = loud.integratedLufs - RELATIVE_GATE_LU;
  const momentary = loud.momentaryLufs;
  return (start: number, size: number) => {
    const centreS = (start + size / 2) / fs;
    const k = Math.min(momentary.length - 1, Math.max(0, Math.round((centreS - BLOCK_S / 2) / STEP_S)));
    return momentary[k] >= gate;
  };
}

/**
 * The profile from measurements already made: the track's loudness (gatedLoudness), its true peak
 * and the long-term spectrum of its active frames (activeFrames).
 */
export function profileFrom(audio: StereoAudio, loud: LoudnessResult & { integratedLufs: number }, truePeakDbtp: number, activeLtas: LongTermSpectrum): MatchProfile {
  const { left, right, sampleRate: fs } = audio;
  const integrated = loud.integratedLufs;
  const gate = integrated - RELATIVE_GATE_LU;
  const spec = spectrumFromLtas(activeLtas);
  const relative = (bands: (number | null)[]) => bands.map((db) => (db === null || db - integrated < BAND_FLOOR_DB ? null : db - integrated));
  let activeBlocks = 0;
  for (const m of loud.momentaryLufs) if (m >= gate) activeBlocks++;
  return {
    file: audio.source.path,
    sampleRate: fs,
    durationS: left.length / fs,
    mono: sameChannels(left, right),
    integratedLufs: integrated,
    truePeakDbtp,
    plrDb: truePeakDbtp - integrated,
    loudnessRangeLu: loud.loudnessRangeLu ?? 0,
    width: spec.width ?? 0,
    bandsHz: spec.bandsHz,
    midDb: relative(spec.midBandDb),
    sideDb: relative(spec.sideBandDb),
    activeS: activeBlocks * STEP_S,
  };
}

/** Throws with `problem` when the track cannot serve matching (silence, too short for gating). `truePeak: false` leaves truePeakDbtp and plrDb NaN. */
export function measureProfile(audio: StereoAudio, options: { truePeak?: boolean } = {}): MatchProfile {
  const { left, right, sampleRate: fs } = audio;
  const loud = gatedLoudness(loudnessFromSubBlocks(kWeightedSubBlocks([left, right], fs), [1, 1]), audio.source.path);
  const ltas = longTermSpectrum(left, right, fs, undefined, activeFrames(loud, fs));
  // The closed loop needs only the balance: the true peak (oversampled) is its slowest part.
  const truePeakDbtp = options.truePeak === false ? Number.NaN : measureTruePeak([left, right], fs).truePeakDbtp;
  return profileFrom(audio, loud, truePeakDbtp, ltas);
}

/** Power mean of band levels in dB, weighted; null where no profile has the band. */
function meanDb(values: (number | null)[], weights: number[]): number | null {
  let sum = 0, weight = 0;
  values.forEach((v, i) => {
    if (v === null) return;
    sum += weights[i] * dbToPower(v);
    weight += weights[i];
  });
  return weight > 0 ? finiteOrNull(powerToDb(sum / weight)) : null;
}

/**
 * Several references as one target: band balances (already relative to each one's loudness) and
 * width averaged in power, loudness, PLR and LRA averaged in dB, each reference by its weight.
 * Mono references count for tone and loudness but not for width (unless all are mono).
 */
export function combineProfiles(profiles: MatchProfile[], weights: number[] = profiles.map(() => 1)): MatchProfile {
  if (profiles.length === 0) throw new RangeError('combineProfiles: no profile');
  if (weights.length !== profiles.length || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0)) {
    throw new RangeError('combineProfiles: one non-negative weight per profile, not all 0');
  }
  if (profiles.length === 1) return profiles[0];
  const total = weights.reduce((a, b) => a + b, 0);
  const w = weights.map((x) => x / total);
  const avg = (f: (p: MatchProfile) => number) => profiles.reduce((s, p, i) => s + w[i] * f(p), 0);
  const stereo = profiles.map((p, i) => (p.mono ? 0 : w[i]));
  const widthWeights = stereo.some((x) => x > 0) ? stereo : w;
  const widthTotal = widthWeights.reduce((a, b) => a + b, 0);
  const bandsHz = profiles[0].bandsHz;
  return {
    file: profiles.map((p) => p.file).join(' + '),
    sampleRate: profiles[0].sampleRate,
    durationS: avg((p) => p.durationS),
    mono: profiles.every((p) => p.mono),
    integratedLufs: avg((p) => p.integratedLufs),
    truePeakDbtp: avg((p) => p.truePeakDbtp),
    plrDb: avg((p) => p.plrDb),
    loudnessRangeLu: avg((p) => p.loudnessRangeLu),
    width: profiles.reduce((s, p, i) => s + (widthWeights[i] / widthTotal) * p.width, 0),
    bandsHz,
    midDb: bandsHz.map((_, b) => meanDb(profiles.map((p) => p.midDb[b] ?? null), w)),
    sideDb: bandsHz.map((_, b) => meanDb(profiles.map((p) => p.sideDb[b] ?? null), widthWeights)),
    activeS: profiles.reduce((s, p) => s + p.activeS, 0),
  };
}

/** Side/mid energy ratio over the bands at or above `fromHz` (band levels share one reference, so the ratio is exact). */
export function widthAbove(p: MatchProfile, fromHz: number): number {
  let side = 0, mid = 0;
  p.bandsHz.forEach((f, i) => {
    if (f < fromHz) return;
    if (p.midDb[i] !== null) mid += dbToPower(p.midDb[i] as number);
    if (p.sideDb[i] !== null) side += dbToPower(p.sideDb[i] as number);
  });
  return mid > 0 ? side / mid : 0;
}
