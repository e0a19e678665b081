/**
 * One cheap pass over the raw samples for the sample-level facts: peaks, RMS, DC offset, clipped
 * runs, where the music starts and ends, and how often the signal sits near its peak (a sign of
 * limiting).
 */

export interface SampleStats {
  /** Highest |x| per channel (linear). */
  peak: [number, number];
  /** Mean-square of each channel over the whole file. */
  meanSquare: [number, number];
  /** Mean of each channel (DC offset, linear). */
  dc: [number, number];
  /** Runs of at least CLIP_RUN_MIN consecutive samples at full scale or at the channel's own peak. */
  clippedRuns: number;
  /** Samples inside those runs, both channels. */
  clippedSamples: number;
  /** Longest such run, samples. */
  longestClipRun: number;
  /** First and one-past-last frame where either channel exceeds the silence threshold; null if none does. */
  activeStart: number | null;
  activeEnd: number | null;
  /** Share (0..1) of 100 ms sub-blocks whose peak comes within NEAR_PEAK_DB of the file's peak. */
  nearPeakShare: number;
}

/** Three equal samples at the top of the range already flatten a waveform's crest audibly. */
export const CLIP_RUN_MIN = 3;
/** |x| at or above this counts as full scale: 32767/32768 for 16-bit, with room for float rounding. */
const FULL_SCALE = 0.99996;
/** A flat top at the channel's own peak (a clipped mix turned down afterwards) counts as clipping too, if that peak is loud. */
const CLIPPED_PEAK_MIN = 0.5;
/** −60 dBFS: below this a sample is silence for the leading/trailing-silence check. */
export const SILENCE_THRESHOLD = 1e-3;
export const NEAR_PEAK_DB = 1;

interface RunCount { runs: number; samples: number; longest: number }

/**
 * Counts the runs of `x`, blocks of `hop` samples at a time: a block whose peak (`blockPeak`) is
 * under the clip level holds no sample of a run, so it only ends the open one and is not read again.
 */
function countClipRuns(x: Float32Array, peak: number, acc: RunCount, blockPeak: Float64Array, hop: number): void {
  const level = Math.min(FULL_SCALE, peak >= CLIPPED_PEAK_MIN ? peak * (1 - 1e-6) : FULL_SCALE);
  const n = x.length;
  let run = 0, sign = 0;
  for (let b = 0; b < blockPeak.length; b++) {
    if (blockPeak[b] < level) {
      if (run >= CLIP_RUN_MIN) addRun(acc, run);
      run = 0;
      sign = 0;
      continue;
    }
    for (let i = b * hop, end = Math.min(n, i + hop); i < end; i++) {
      // A flat top keeps its sign; alternating ± samples at the peak are a waveform, not a clip.
      const v = x[i];
      const s = v >= level ? 1 : v <= -level ? -1 : 0;
      if (s !== 0 && (run === 0 || s === sign)) { run++; sign = s; continue; }
      if (run >= CLIP_RUN_MIN) addRun(acc, run);
      run = s !== 0 ? 1 : 0;
      sign = s;
    }
  }
  // The end of the signal ends the last run.
  if (run >= CLIP_RUN_MIN) addRun(acc, run);
}

function addRun(acc: RunCount, run: number): void {
  acc.runs++;
  acc.samples += run;
  if (run > acc.longest) acc.longest = run;
}

export function scanSamples(left: Float32Array, right: Float32Array, sampleRate: number): SampleStats {
  const n = left.length;
  const hop = Math.max(1, Math.round(sampleRate / 10));
  const blockPeaks = new Float64Array(Math.ceil(n / hop));
  const blockPeakL = new Float64Array(blockPeaks.length), blockPeakR = new Float64Array(blockPeaks.length);
  let peakL = 0, peakR = 0, sumL = 0, sumR = 0, sqL = 0, sqR = 0;
  let activeStart = -1, activeEnd = -1;
  for (let b = 0; b < blockPeaks.length; b++) {
    let bl = 0, br = 0;
    for (let i = b * hop, end = Math.min(n, i + hop); i < end; i++) {
      const l = left[i], r = right[i];
      sumL += l; sumR += r; sqL += l * l; sqR += r * r;
      const al = Math.abs(l), ar = Math.abs(r);
      if (al > bl) bl = al;
      if (ar > br) br = ar;
      if (al > SILENCE_THRESHOLD || ar > SILENCE_THRESHOLD) {
        if (activeStart < 0) activeStart = i;
        activeEnd = i + 1;
      }
    }
    blockPeaks[b] = bl > br ? bl : br;
    blockPeakL[b] = bl;
    blockPeakR[b] = br;
    if (bl > peakL) peakL = bl;
    if (br > peakR) peakR = br;
  }

  const runs: RunCount = { runs: 0, samples: 0, longest: 0 };
  countClipRuns(left, peakL, runs, blockPeakL, hop);
  if (right !== left) countClipRuns(right, peakR, runs, blockPeakR, hop);
  else { runs.runs *= 2; runs.samples *= 2; }

  const peak = Math.max(peakL, peakR);
  const near = peak * 10 ** (-NEAR_PEAK_DB / 20);
  let nearCount = 0;
  if (peak > 0) for (let b = 0; b < blockPeaks.length; b++) if (blockPeaks[b] >= near) nearCount++;

  return {
    peak: [peakL, peakR],
    meanSquare: n > 0 ? [sqL / n, sqR / n] : [0, 0],
    dc: n > 0 ? [sumL / n, sumR / n] : [0, 0],
    clippedRuns: runs.runs,
    clippedSamples: runs.samples,
    longestClipRun: runs.longest,
    activeStart: activeStart >= 0 ? activeStart : null,
    activeEnd: activeEnd >= 0 ? activeEnd : null,
    nearPeakShare: blockPeaks.length > 0 ? nearCount / blockPeaks.length : 0,
  };
}
