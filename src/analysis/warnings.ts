/**
 * Mix-prep checks from mastering practice. Each warning carries the number that triggered it and,
 * where there is one, the usual advice. Thresholds are named here, in one place.
 */
import type { SourceInfo, StereoAudio } from '../io/types.js';
import { ampToDb, finiteOrNull } from '../util/db.js';
import type { LoudnessResult } from './loudness.js';
import type { SampleStats } from './samples.js';
import type { TruePeakResult } from './truepeak.js';

export interface Warning {
  code: WarningCode;
  message: string;
}

export type WarningCode =
  | 'PEAK_TOO_HOT'
  | 'PEAK_TOO_LOW'
  | 'CLIPPING'
  | 'INTERSAMPLE_OVERS'
  | 'DC_OFFSET'
  | 'LEADING_SILENCE'
  | 'TRAILING_SILENCE'
  | 'LOSSY_SOURCE'
  | 'ALREADY_LIMITED'
  | 'TOO_SHORT_FOR_LOUDNESS'
  | 'SILENT';

/** Mastering engineers ask for mix peaks between -6 and -3 dBFS. */
export const PEAK_HOT_DBFS = -3;
export const PEAK_LOW_DBFS = -12;
/** −60 dBFS of DC is audible as a thump at edits and costs headroom. */
export const DC_OFFSET_DBFS = -60;
export const SILENCE_WARN_S = 0.5;
/** An unmastered mix usually has a PLR of 12–18 dB; limited masters sit at 6–10 dB. */
export const LIMITED_PLR_DB = 9;
/** Limited audio reaches within 1 dB of its peak in a large share of its 100 ms blocks. */
export const LIMITED_NEAR_PEAK_SHARE = 0.3;
export const LIMITED_NEAR_PEAK_PLR_DB = 12;

export interface WarningInputs {
  source: SourceInfo;
  durationS: number;
  samplePeakDbfs: number | null;
  truePeakDbtp: number | null;
  interSampleOvers: number;
  clippedRuns: number;
  clippedSamples: number;
  longestClipRun: number;
  dcDbfs: number | null;
  leadingSilenceS: number;
  trailingSilenceS: number;
  integratedLufs: number | null;
  plrDb: number | null;
  nearPeakShare: number;
  loudnessRangeLu: number | null;
}

const f1 = (x: number) => x.toFixed(1);
const dbOrNull = (amplitude: number) => finiteOrNull(ampToDb(amplitude));

/**
 * What the mix-prep warnings are decided on, from the loudness, true peak and sample scan of `audio`
 * (analyzeAudio's measurements, or the same ones made by a caller that needs only these).
 */
export function mixPrepInputs(audio: StereoAudio, loud: LoudnessResult, tp: TruePeakResult, samples: SampleStats): WarningInputs {
  const { left, sampleRate } = audio;
  const samplePeakDbfs = dbOrNull(Math.max(samples.peak[0], samples.peak[1]));
  const truePeakDbtp = finiteOrNull(tp.truePeakDbtp);
  const dc = Math.max(Math.abs(samples.dc[0]), Math.abs(samples.dc[1]));
  return {
    source: audio.source,
    durationS: left.length / sampleRate,
    samplePeakDbfs,
    truePeakDbtp,
    interSampleOvers: tp.interSampleOvers,
    clippedRuns: samples.clippedRuns,
    clippedSamples: samples.clippedSamples,
    longestClipRun: samples.longestClipRun,
    dcDbfs: dbOrNull(dc),
    leadingSilenceS: (samples.activeStart ?? left.length) / sampleRate,
    trailingSilenceS: samples.activeEnd === null ? 0 : (left.length - samples.activeEnd) / sampleRate,
    integratedLufs: loud.integratedLufs,
    plrDb: truePeakDbtp !== null && loud.integratedLufs !== null ? truePeakDbtp - loud.integratedLufs : null,
    nearPeakShare: samples.nearPeakShare,
    loudnessRangeLu: loud.loudnessRangeLu,
  };
}


export function mixPrepWarnings(m: WarningInputs): Warning[] {
  const out: Warning[] = [];
  const add = (code: WarningCode, message: string) => out.push({ code, message });
  if (m.samplePeakDbfs === null) {
    add('SILENT', 'The file is digital silence.');
    return out;
  }
  if (m.samplePeakDbfs > PEAK_HOT_DBFS) {
    add('PEAK_TOO_HOT', `Sample peak ${f1(m.samplePeakDbfs)} dBFS is above ${PEAK_HOT_DBFS} dBFS: export the mix with peaks between -6 and -3 dBFS to leave headroom for mastering.`);
  } else if (m.samplePeakDbfs < PEAK_LOW_DBFS) {
    add('PEAK_TOO_LOW', `Sample peak ${f1(m.samplePeakDbfs)} dBFS is below ${PEAK_LOW_DBFS} dBFS: the mix is quieter than needed; peaks between -6 and -3 dBFS are usual.`);
  }
  if (m.clippedRuns > 0) {
    add('CLIPPING', `${m.clippedRuns} clipped run(s) (${m.clippedSamples} samples, longest ${m.longestClipRun} samples) of consecutive full-scale samples: fix the clipping in the mix, mastering cannot restore it.`);
  }
  if (m.interSampleOvers > 0 && m.truePeakDbtp !== null) {
    add('INTERSAMPLE_OVERS', `${m.interSampleOvers} inter-sample over(s): true peak ${f1(m.truePeakDbtp)} dBTP exceeds 0 dBTP between samples; lossy encoders and DACs will clip them.`);
  }
  if (m.dcDbfs !== null && m.dcDbfs > DC_OFFSET_DBFS) {
    add('DC_OFFSET', `DC offset of ${f1(m.dcDbfs)} dBFS (threshold ${DC_OFFSET_DBFS} dBFS): remove it with a high-pass filter before mastering.`);
  }
  if (m.leadingSilenceS > SILENCE_WARN_S) {
    add('LEADING_SILENCE', `${m.leadingSilenceS.toFixed(2)} s of silence (below -60 dBFS) before the music starts.`);
  }
  if (m.trailingSilenceS > SILENCE_WARN_S) {
    add('TRAILING_SILENCE', `${m.trailingSilenceS.toFixed(2)} s of silence (below -60 dBFS) after the music ends.`);
  }
  if (m.source.lossy) {
    const rate = m.source.bitrateKbps !== null ? ` at ${Math.round(m.source.bitrateKbps)} kbit/s` : '';
    add('LOSSY_SOURCE', `The source is lossy (${m.source.codec}${rate}): master from a lossless export (WAV, AIFF or FLAC) if you have one.`);
  }
  if (m.integratedLufs === null) {
    add('TOO_SHORT_FOR_LOUDNESS', `No 400 ms block passes the loudness gates (${m.durationS.toFixed(2)} s of audio): integrated loudness is undefined.`);
  }
  if (m.plrDb !== null) {
    const lowPlr = m.plrDb < LIMITED_PLR_DB;
    const densePeaks = m.nearPeakShare > LIMITED_NEAR_PEAK_SHARE && m.plrDb < LIMITED_NEAR_PEAK_PLR_DB;
    if (lowPlr || densePeaks) {
      const lra = m.loudnessRangeLu !== null ? `, LRA ${f1(m.loudnessRangeLu)} LU` : '';
      add('ALREADY_LIMITED', `The mix looks already limited: PLR ${f1(m.plrDb)} dB${lra}, ${Math.round(m.nearPeakShare * 100)} % of 100 ms blocks within 1 dB of the peak; send the mix without bus limiting for mastering.`);
    }
  }
  return out;
}
