/**
 * Every file of the shared corpus (real mixes and released masters) analyses without a NaN, and our
 * integrated loudness agrees with ffmpeg's `ebur128` filter (an independent BS.1770-4 implementation)
 * within 0.1 LU. ffmpeg's true peak and LRA are checked too, at the Tech 3341/3342 tolerances.
 * `.ci/run` installs ffmpeg from Debian's packages; without it the ffmpeg comparison is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { decodeFile } from '../../src/io/decode.js';
import { ampToDb } from '../../src/util/db.js';
import { CORPUS } from '../helpers/corpus.js';

const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.flac')).sort() : [];
const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface FfmpegR128 { integrated: number; lra: number; truePeakDbtp: number }

/** The last frame's metadata of `ebur128=metadata=1` carries the whole-file figures with 3 decimals. */
function ffmpegR128(path: string): FfmpegR128 {
  const out = execFileSync('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af',
    'ebur128=peak=true:metadata=1,ametadata=mode=print:file=-', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const last = (key: string) => {
    const matches = [...out.matchAll(new RegExp(`^lavfi\\.r128\\.${key}=(-?[\\d.]+|-?inf)$`, 'gm'))];
    return Number(matches[matches.length - 1][1]);
  };
  return { integrated: last('I'), lra: last('LRA'), truePeakDbtp: ampToDb(last('true_peak')) };
}

function findNaN(value: unknown, path = ''): string | null {
  if (typeof value === 'number') return Number.isNaN(value) || !Number.isFinite(value) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) { const p = findNaN(v, `${path}[${i}]`); if (p) return p; }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) { const p = findNaN(v, `${path}.${k}`); if (p) return p; }
  }
  return null;
}

describe.skipIf(files.length === 0)('shared corpus', () => {
  for (const name of files) {
    it(`${name}: complete report, loudness agrees with ffmpeg ebur128`, async () => {
      const path = join(CORPUS, name);
      const report = analyzeAudio(await decodeFile(path));
      expect(findNaN(report)).toBeNull();
      expect(report.loudness.integratedLufs).not.toBeNull();
      expect(report.features.values.length).toBe(report.features.names.length);
      if (!hasFfmpeg) return;
      const ref = ffmpegR128(path);
      expect(Math.abs(report.loudness.integratedLufs! - ref.integrated)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(report.loudness.loudnessRangeLu! - ref.lra)).toBeLessThanOrEqual(1);
      // Tech 3341 true-peak tolerance: +0.2 / −0.4 dB around the reference meter.
      expect(report.peak.truePeakDbtp! - ref.truePeakDbtp).toBeLessThanOrEqual(0.2);
      expect(report.peak.truePeakDbtp! - ref.truePeakDbtp).toBeGreaterThanOrEqual(-0.4);
    });
  }
});
