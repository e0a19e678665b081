/**
 * What differs between two analysed tracks (A, typically a mix or master, and B, a reference or
 * another version): the headline measures side by side with B − A, and the 1/3-octave spectra of
 * mid and side compared after loudness normalisation. Pure: it reads two AnalysisReports.
 */
import type { AnalysisReport } from '../analysis/analyze.js';
import { NOMINAL_THIRD_OCTAVES_HZ } from '../analysis/bands.js';

/** One measure of both files; `diff` is B − A (null when either is undefined). */
export interface MetricPair {
  a: number | null;
  b: number | null;
  diff: number | null;
}

export const COMPARED_METRICS = [
  'integratedLufs',
  'loudnessRangeLu',
  'truePeakDbtp',
  'plrDb',
  'widthDb',
  'correlation',
  'monoLoudnessDeltaDb',
] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

export interface FileSummary {
  file: string;
  sampleRate: number;
  channels: number;
  durationS: number;
  codec: string;
  bitDepth: number | null;
  lossy: boolean;
}

export interface Comparison {
  a: FileSummary;
  b: FileSummary;
  /** Units are in the names: LUFS, LU, dBTP, dB; correlation is a plain −1…1 figure. */
  metrics: Record<ComparedMetric, MetricPair>;
  spectrum: {
    /** Exact IEC 61260-1 band centres and their nominal names, Hz. */
    bandsHz: number[];
    nominalHz: number[];
    /**
     * B − A per 1/3-octave band, dB, of band levels that are each relative to their own track's
     * integrated loudness: what remains once both are played at the same loudness. Null where a band
     * is missing in either (above a file's Nyquist) or the two were normalised differently.
     */
    midDiffDb: (number | null)[];
    sideDiffDb: (number | null)[];
    /** Both spectra relative to integrated loudness (comparable), or not. */
    comparable: boolean;
  };
  /** Caveats a reader needs, e.g. different sample rates. */
  notes: string[];
}

function pair(a: number | null, b: number | null): MetricPair {
  return { a, b, diff: a === null || b === null ? null : b - a };
}

function summary(r: AnalysisReport): FileSummary {
  return {
    file: r.file,
    sampleRate: r.sampleRate,
    channels: r.channels,
    durationS: r.durationS,
    codec: r.format.codec,
    bitDepth: r.format.bitDepth,
    lossy: r.format.lossy,
  };
}

function bandDiff(a: (number | null)[], b: (number | null)[], ok: boolean): (number | null)[] {
  return a.map((x, i) => (ok && x !== null && b[i] !== null && b[i] !== undefined ? (b[i] as number) - x : null));
}

export function compareReports(a: AnalysisReport, b: AnalysisReport): Comparison {
  const sameBands = a.spectrum.bandsHz.length === b.spectrum.bandsHz.length && a.spectrum.bandsHz.every((f, i) => f === b.spectrum.bandsHz[i]);
  if (!sameBands) throw new Error('compareReports: the two reports use different spectrum bands');
  const comparable = a.spectrum.normalizedTo === 'integratedLoudness' && b.spectrum.normalizedTo === 'integratedLoudness';

  const notes: string[] = [];
  if (!comparable) {
    const which = [a, b].filter((r) => r.spectrum.normalizedTo !== 'integratedLoudness').map((r) => r.file);
    notes.push(`no integrated loudness for ${which.join(' and ')} (silent or shorter than 400 ms): spectra cannot be compared at equal loudness`);
  }
  if (a.sampleRate !== b.sampleRate) {
    const nyquistKhz = Math.min(a.sampleRate, b.sampleRate) / 2000;
    notes.push(`sample rates differ (${a.sampleRate} vs ${b.sampleRate} Hz): bands above ${nyquistKhz} kHz exist in one file only`);
  }
  for (const r of [a, b]) if (r.format.lossy) notes.push(`${r.file} is lossy (${r.format.codec}): its top octave may be cut by the encoder`);

  return {
    a: summary(a),
    b: summary(b),
    metrics: {
      integratedLufs: pair(a.loudness.integratedLufs, b.loudness.integratedLufs),
      loudnessRangeLu: pair(a.loudness.loudnessRangeLu, b.loudness.loudnessRangeLu),
      truePeakDbtp: pair(a.peak.truePeakDbtp, b.peak.truePeakDbtp),
      plrDb: pair(a.dynamics.plrDb, b.dynamics.plrDb),
      widthDb: pair(a.stereo.widthDb, b.stereo.widthDb),
      correlation: pair(a.stereo.correlation, b.stereo.correlation),
      monoLoudnessDeltaDb: pair(a.stereo.monoLoudnessDeltaDb, b.stereo.monoLoudnessDeltaDb),
    },
    spectrum: {
      bandsHz: a.spectrum.bandsHz,
      nominalHz: a.spectrum.bandsHz.map((f) => nominalBandHz(f)),
      midDiffDb: bandDiff(a.spectrum.midDb, b.spectrum.midDb, comparable),
      sideDiffDb: bandDiff(a.spectrum.sideDb, b.spectrum.sideDb, comparable),
      comparable,
    },
    notes,
  };
}

/** The IEC 61260-1 nominal name of an exact 1/3-octave centre (19.95 → 20, 1258.9 → 1250). */
function nominalBandHz(exactHz: number): number {
  let best = NOMINAL_THIRD_OCTAVES_HZ[0];
  for (const n of NOMINAL_THIRD_OCTAVES_HZ) if (Math.abs(Math.log(n / exactHz)) < Math.abs(Math.log(best / exactHz))) best = n;
  return best;
}
