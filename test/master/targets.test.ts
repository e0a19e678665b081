/** The delivery-target table and the playback-normalisation preview. */
import { describe, expect, it } from 'vitest';
import { TARGETS, playbackGainDb, targetByName } from '../../src/master/targets.js';

describe('targets', () => {
  it('holds the issue\'s figures', () => {
    const t = (n: string) => [TARGETS[n].integratedLufs, TARGETS[n].ceilingDbtp];
    expect(t('spotify')).toEqual([-14, -1]);
    expect(t('apple')).toEqual([-16, -1]);
    expect(t('youtube')).toEqual([-14, -1]);
    expect(t('tidal')).toEqual([-14, -1]);
    expect(t('amazon')).toEqual([-14, -2]);
    expect(t('soundcloud')).toEqual([-14, -1]);
    expect(t('club')).toEqual([-8, -0.3]);
    expect(t('cd')).toEqual([-10, -0.3]);
    expect(TARGETS.cd.format).toEqual({ bits: 16, sampleRateHz: 44100 });
  });

  it('previews playback gain: down to the target, up only within the peak room where the player raises', () => {
    expect(playbackGainDb(TARGETS.spotify, -10, -1)).toBe(-4);
    expect(playbackGainDb(TARGETS.spotify, -18, -6)).toBe(4);
    expect(playbackGainDb(TARGETS.spotify, -18, -3)).toBe(2);
    expect(playbackGainDb(TARGETS.youtube, -18, -6)).toBe(0);
    expect(playbackGainDb(TARGETS.youtube, -9, -1)).toBe(-5);
    expect(playbackGainDb(TARGETS.soundcloud, -9, -1)).toBe(0);
  });

  it('refuses an unknown target with the list of known ones', () => {
    expect(() => targetByName('vinyl')).toThrow(/unknown target "vinyl" \(choose from spotify, apple/);
    expect(targetByName('Spotify').name).toBe('spotify');
  });
});
