/** `refmaster analyze FILE... [--json]` */
import { analyzeAudio, type AnalysisReport } from '../analysis/analyze.js';
import { NOMINAL_THIRD_OCTAVES_HZ } from '../analysis/bands.js';
import { decodeFile } from '../io/decode.js';
import { fmt, fmtHz, fmtSigned, fmtTags, table } from './format.js';
import { clearProgress, progress, reportError } from './run.js';

export interface AnalyzeCommandOptions {
  json?: boolean;
  debug?: boolean;
}

function describeFormat(r: AnalysisReport): string {
  const depth = r.format.bitDepth !== null ? ` ${r.format.bitDepth}-bit` : '';
  const rate = r.format.bitrateKbps !== null ? ` ${Math.round(r.format.bitrateKbps)} kbit/s` : '';
  const layout = r.channels === 1 ? 'mono' : 'stereo';
  return `${r.format.codec}${depth}${rate}, ${fmt(r.sampleRate / 1000, 1)} kHz, ${layout}, ${fmt(r.durationS, 1)} s`;
}

/** Octave-spaced subset of the 1/3-octave bands (25 Hz … 12.5 kHz), by their nominal names: readable on one line. */
function spectrumLine(values: (number | null)[]): string {
  const parts: string[] = [];
  for (let i = 1; i < values.length; i += 3) parts.push(`${fmtHz(NOMINAL_THIRD_OCTAVES_HZ[i])}:${fmt(values[i], 0)}`);
  return parts.join(' ');
}

export function formatReport(r: AnalysisReport): string {
  const L = r.loudness, P = r.peak, D = r.dynamics, S = r.stereo, F = r.spectrum;
  const rows: [string, string][] = [
    ['Integrated', fmt(L.integratedLufs, 1, 'LUFS')],
    ['Short-term max', fmt(L.shortTermMaxLufs, 1, 'LUFS')],
    ['Momentary max', fmt(L.momentaryMaxLufs, 1, 'LUFS')],
    ['Loudness range', fmt(L.loudnessRangeLu, 1, 'LU')],
    ['Sample peak', fmt(P.samplePeakDbfs, 2, 'dBFS')],
    ['True peak', `${fmt(P.truePeakDbtp, 2, 'dBTP')}${P.interSampleOvers > 0 ? `  (${P.interSampleOvers} inter-sample overs)` : ''}`],
    ['Crest factor', fmt(D.crestDb, 1, 'dB')],
    ['PLR', fmt(D.plrDb, 1, 'dB')],
    ['Short-term P10/50/95', `${fmt(D.shortTermP10Lufs, 1)} / ${fmt(D.shortTermP50Lufs, 1)} / ${fmt(D.shortTermP95Lufs, 1)} LUFS`],
    ['Width (side/mid)', `${fmt(S.widthDb, 1, 'dB')}  (side/mid below 150 Hz ${fmt(S.lowSideToMidDb, 1, 'dB')})`],
    ['Correlation', `${fmt(S.correlation, 2)}  (worst 5 %: ${fmt(S.correlationLow, 2)})`],
    ['Mono fold-down', fmtSigned(S.monoLoudnessDeltaDb, 1, 'dB')],
    ['L/R balance', fmtSigned(S.balanceDb, 1, 'dB')],
    ['Spectral tilt', fmt(F.tiltDbPerOct, 2, 'dB/oct')],
    ['Centroid (median)', fmt(F.descriptors.centroidHz?.median, 0, 'Hz')],
    ['Mid bands, dB re LUFS', spectrumLine(F.midDb)],
    ['Side bands, dB re LUFS', spectrumLine(F.sideDb)],
  ];
  const tags = fmtTags(r.format.tags);
  if (tags) rows.unshift(['Tags', tags]);
  const warnings = r.warnings.length === 0 ? '  no mix-prep warnings' : r.warnings.map((w) => `  ! ${w.code}: ${w.message}`).join('\n');
  return `${r.file}  (${describeFormat(r)})\n${table(rows)}\n${warnings}\n`;
}

export async function analyzeCommand(files: string[], opts: AnalyzeCommandOptions): Promise<number> {
  const reports: AnalysisReport[] = [];
  let exitCode = 0;
  for (const [i, file] of files.entries()) {
    progress(`analyzing ${file} (${i + 1}/${files.length})…`);
    try {
      const report = analyzeAudio(await decodeFile(file));
      clearProgress();
      if (opts.json) reports.push(report);
      else process.stdout.write(`${i > 0 ? '\n' : ''}${formatReport(report)}`);
    } catch (err) {
      clearProgress();
      exitCode = reportError(err, opts.debug ?? false);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  return exitCode;
}
