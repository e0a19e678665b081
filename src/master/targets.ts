/**
 * Delivery targets in one place: the loudness and true-peak ceiling each platform or medium asks
 * for, and how its player normalises on playback (what a listener will hear of a louder master).
 * Figures are the platforms' published recommendations as of 2025; `--loudness` and `--ceiling`
 * override them.
 */
import { UserError } from '../util/errors.js';

export interface DeliveryTarget {
  name: string;
  label: string;
  integratedLufs: number;
  ceilingDbtp: number;
  /**
   * Playback normalisation: 'down' only turns louder tracks down; 'up-to-peak' also turns quieter ones
   * up, but not beyond the ceiling; 'none' plays files as they are.
   */
  normalization: 'down' | 'up-to-peak' | 'none';
  /** PCM word length and sample rate the medium requires (null: the mix's rate, 24-bit). */
  format: { bits: 16 | 24; sampleRateHz: number | null };
  notes: string;
}

export const TARGETS: Record<string, DeliveryTarget> = {
  spotify: { name: 'spotify', label: 'Spotify', integratedLufs: -14, ceilingDbtp: -1, normalization: 'up-to-peak', format: { bits: 24, sampleRateHz: null }, notes: 'normalises to −14 LUFS; quieter tracks are raised only as far as −1 dBTP allows' },
  apple: { name: 'apple', label: 'Apple Music', integratedLufs: -16, ceilingDbtp: -1, normalization: 'up-to-peak', format: { bits: 24, sampleRateHz: null }, notes: 'Sound Check normalises to about −16 LUFS' },
  youtube: { name: 'youtube', label: 'YouTube', integratedLufs: -14, ceilingDbtp: -1, normalization: 'down', format: { bits: 24, sampleRateHz: null }, notes: 'turns louder uploads down to −14 LUFS, never up' },
  tidal: { name: 'tidal', label: 'Tidal', integratedLufs: -14, ceilingDbtp: -1, normalization: 'down', format: { bits: 24, sampleRateHz: null }, notes: 'normalises down to −14 LUFS' },
  amazon: { name: 'amazon', label: 'Amazon Music', integratedLufs: -14, ceilingDbtp: -2, normalization: 'down', format: { bits: 24, sampleRateHz: null }, notes: 'asks for −2 dBTP: its lossy encodes overshoot more' },
  soundcloud: { name: 'soundcloud', label: 'SoundCloud', integratedLufs: -14, ceilingDbtp: -1, normalization: 'none', format: { bits: 24, sampleRateHz: null }, notes: 'no playback normalisation; −14 LUFS is the usual recommendation' },
  club: { name: 'club', label: 'Club', integratedLufs: -8, ceilingDbtp: -0.3, normalization: 'none', format: { bits: 24, sampleRateHz: null }, notes: 'DJ/club playback: −9 to −7 LUFS, no normalisation' },
  cd: { name: 'cd', label: 'CD', integratedLufs: -10, ceilingDbtp: -0.3, normalization: 'none', format: { bits: 16, sampleRateHz: 44100 }, notes: 'Red Book: 16-bit, 44.1 kHz, TPDF dither' },
};

/** The platforms whose playback gain the report previews. */
export const STREAMING_PLATFORMS = ['spotify', 'apple', 'youtube', 'tidal', 'amazon', 'soundcloud'] as const;

export function targetByName(name: string): DeliveryTarget {
  const target = TARGETS[name.toLowerCase()];
  if (!target) throw new UserError(`unknown target "${name}" (choose from ${Object.keys(TARGETS).join(', ')})`);
  return target;
}

/**
 * The gain a platform's player applies to a track of `integratedLufs` with `truePeakDbtp` (dB,
 * negative = turned down). 'up-to-peak' raises a quieter track only until its true peak reaches the
 * platform's ceiling.
 */
export function playbackGainDb(target: DeliveryTarget, integratedLufs: number, truePeakDbtp: number): number {
  const toTarget = target.integratedLufs - integratedLufs;
  switch (target.normalization) {
    case 'none':
      return 0;
    case 'down':
      return Math.min(0, toTarget);
    case 'up-to-peak':
      return toTarget <= 0 ? toTarget : Math.max(0, Math.min(toTarget, target.ceilingDbtp - truePeakDbtp));
  }
}
