/**
 * The feature vector: a flat, named, versioned list of numbers derived from an analysis report,
 * for the parameter-prediction model. This file is its one definition: every feature's name, unit,
 * meaning and the value used when the measurement is undefined (silence, too short, band above
 * Nyquist). Any change to the list, its order or a fill value must bump FEATURE_VERSION, because
 * trained models are bound to it.
 */
import type { AnalysisReport } from './analyze.js';
import { NOMINAL_THIRD_OCTAVES_HZ } from './bands.js';

export const FEATURE_VERSION = 1;

export interface FeatureVector {
  version: number;
  names: string[];
  values: number[];
}

interface FeatureSpec {
  name: string;
  unit: string;
  /** Used when the measurement is null. */
  fill: number;
  get: (r: ReportWithoutFeatures) => number | null;
}

type ReportWithoutFeatures = Omit<AnalysisReport, 'features'>;


/** Below any real band level relative to loudness; marks a band with no content or above Nyquist. */
const BAND_FLOOR_DB = -100;
const LOUDNESS_FLOOR_LUFS = -70;
const LEVEL_FLOOR_DB = -100;

const scalar: FeatureSpec[] = [
  { name: 'loudness.integratedLufs', unit: 'LUFS', fill: LOUDNESS_FLOOR_LUFS, get: (r) => r.loudness.integratedLufs },
  { name: 'loudness.momentaryMaxLufs', unit: 'LUFS', fill: LOUDNESS_FLOOR_LUFS, get: (r) => r.loudness.momentaryMaxLufs },
  { name: 'loudness.shortTermMaxLufs', unit: 'LUFS', fill: LOUDNESS_FLOOR_LUFS, get: (r) => r.loudness.shortTermMaxLufs },
  { name: 'loudness.rangeLu', unit: 'LU', fill: 0, get: (r) => r.loudness.loudnessRangeLu },
  { name: 'dynamics.shortTermP10Lufs', unit: 'LUFS', fill: LOUDNESS_FLOOR_LUFS, get: (r) => r.dynamics.shortTermP10Lufs },
  { name: 'dynamics.shortTermP50Lufs', unit: 'LUFS', fill: LOUDNESS_FLOOR_LUFS, get: (r) => r.dynamics.shortTermP50Lufs },
  { name: 'dynamics.shortTermP95Lufs', unit: 'LUFS', fill: LOUDNESS_FLOOR_LUFS, get: (r) => r.dynamics.shortTermP95Lufs },
  { name: 'dynamics.crestDb', unit: 'dB', fill: 0, get: (r) => r.dynamics.crestDb },
  { name: 'dynamics.plrDb', unit: 'dB', fill: 0, get: (r) => r.dynamics.plrDb },
  { name: 'dynamics.nearPeakShare', unit: 'ratio', fill: 0, get: (r) => r.dynamics.nearPeakShare },
  { name: 'peak.samplePeakDbfs', unit: 'dBFS', fill: LEVEL_FLOOR_DB, get: (r) => r.peak.samplePeakDbfs },
  { name: 'peak.truePeakDbtp', unit: 'dBTP', fill: LEVEL_FLOOR_DB, get: (r) => r.peak.truePeakDbtp },
  { name: 'stereo.widthDb', unit: 'dB', fill: LEVEL_FLOOR_DB, get: (r) => r.stereo.widthDb },
  { name: 'stereo.correlation', unit: 'ratio', fill: 0, get: (r) => r.stereo.correlation },
  { name: 'stereo.correlationLow', unit: 'ratio', fill: 0, get: (r) => r.stereo.correlationLow },
  { name: 'stereo.monoLoudnessDeltaDb', unit: 'dB', fill: 0, get: (r) => r.stereo.monoLoudnessDeltaDb },
  { name: 'stereo.balanceDb', unit: 'dB', fill: 0, get: (r) => r.stereo.balanceDb },
  { name: 'stereo.lowSideToMidDb', unit: 'dB', fill: LEVEL_FLOOR_DB, get: (r) => r.stereo.lowSideToMidDb },
  { name: 'spectrum.tiltDbPerOct', unit: 'dB/oct', fill: 0, get: (r) => r.spectrum.tiltDbPerOct },
  { name: 'spectrum.centroidHzMedian', unit: 'Hz', fill: 0, get: (r) => r.spectrum.descriptors.centroidHz?.median ?? null },
  { name: 'spectrum.rolloffHzMedian', unit: 'Hz', fill: 0, get: (r) => r.spectrum.descriptors.rolloffHz?.median ?? null },
  { name: 'spectrum.flatnessMedian', unit: 'ratio', fill: 0, get: (r) => r.spectrum.descriptors.flatness?.median ?? null },
  { name: 'source.lossy', unit: 'bool', fill: 0, get: (r) => (r.format.lossy ? 1 : 0) },
];

function bandFeatures(kind: 'mid' | 'side'): FeatureSpec[] {
  return NOMINAL_THIRD_OCTAVES_HZ.map((hz, i) => ({
    name: `spectrum.${kind}Db.${hz}Hz`,
    unit: 'dB re integrated loudness',
    fill: BAND_FLOOR_DB,
    get: (r: ReportWithoutFeatures) => (kind === 'mid' ? r.spectrum.midDb : r.spectrum.sideDb)[i] ?? null,
  }));
}

export const FEATURES: readonly FeatureSpec[] = [...scalar, ...bandFeatures('mid'), ...bandFeatures('side')];

export function extractFeatures(report: ReportWithoutFeatures): FeatureVector {
  return {
    version: FEATURE_VERSION,
    names: FEATURES.map((f) => f.name),
    values: FEATURES.map((f) => {
      const v = f.get(report);
      return v === null || !Number.isFinite(v) ? f.fill : v;
    }),
  };
}
