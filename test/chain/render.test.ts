/**
 * The renderer's guarantees: null test, determinism (hash), block-size independence, the true-peak
 * ceiling through the whole chain (also after sample-rate conversion), the loudness target, and
 * the tweak loop's cache giving the same bits as a fresh render.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/analysis/loudness.js';
import { measureTruePeak } from '../../src/analysis/truepeak.js';
import { applyOverrides } from '../../src/chain/overrides.js';
import { defaultChain, parseChain } from '../../src/chain/load.js';
import { RenderSession, renderChain } from '../../src/chain/render.js';
import { runProcessors } from '../../src/chain/run.js';
import { createEq } from '../../src/dsp/eq.js';
import { createCompressor } from '../../src/dsp/compressor.js';
import { createImager } from '../../src/dsp/imager.js';
import { createSaturation } from '../../src/dsp/saturation.js';
import { createLimiter } from '../../src/dsp/limiter.js';
import { decodeFile } from '../../src/io/decode.js';
import { encodeWav } from '../../src/io/wav-encode.js';
import { VERSION } from '../../src/util/version.js';
import { fullChain } from '../bench/full-chain.js';
import type { StereoAudio } from '../../src/io/types.js';
import { floatWavAudio } from '../helpers/audio.js';
import { sha256OfChannels } from '../helpers/bits.js';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus.js';
import { seededNoise } from '../helpers/signals.js';

const FS = 44100;

/** Noise with a slow level swing, so compressors and limiters have something to do. */
function musicLike(seconds: number, seed: number): StereoAudio {
  const l = seededNoise(FS * seconds, seed, 1), r = seededNoise(FS * seconds, seed + 1, 1);
  for (let i = 0; i < l.length; i++) {
    const g = 0.25 * (1 + 0.8 * Math.sin((2 * Math.PI * i) / FS / 1.7));
    const common = 0.6 * l[i];
    l[i] = g * (common + 0.4 * l[i]);
    r[i] = g * (common + 0.4 * r[i]);
  }
  return floatWavAudio(l, r, FS);
}

function chainWith(...sets: string[]) {
  return parseChain(applyOverrides(defaultChain(), sets), 'test');
}

const ALL_BYPASSED = ['input', 'eq', 'matchEq', 'compressor', 'multiband', 'imager', 'saturation', 'character', 'limiter'].map((s) => `${s}.bypass=true`);

describe('renderer', () => {
  it('null test: every stage bypassed, float output → bit-identical to the input', async () => {
    const a = musicLike(3, 1);
    const r = await renderChain(a, chainWith(...ALL_BYPASSED, 'output.format=float32'));
    expect(r.sampleRate).toBe(FS);
    expect(sha256OfChannels(r.channels)).toBe(sha256OfChannels([a.left, a.right]));
  });

  it('is deterministic: the same input and chain give the same bits, run to run', async () => {
    const chain = chainWith('multiband.bypass=false', 'limiter.targetLufs=-12');
    const a = await renderChain(musicLike(4, 3), chain);
    const b = await renderChain(musicLike(4, 3), chain);
    expect(sha256OfChannels(b.channels)).toBe(sha256OfChannels(a.channels));
  });

  it('gives the file recorded for this version (golden hash of the WAV bytes, every stage on)', async () => {
    // A deliberate change to what the renderer writes bumps the package version and records new
    // hashes here; an undeliberate one fails. Synthetic input, so no corpus is needed.
    const golden: Record<string, { pcm24: string; pcm16At48k: string }> = {
      '0.1.0': {
        pcm24: 'c30ec60af3510069bdfddba886df464033c5a8dfd846ac5497dd857479bb7a94',
        pcm16At48k: '7d1f89da3aae4473de37efd0aca00ba4d0f19ba8b6ab6d5a7ac23ea8a7d78f99',
      },
    };
    const input = musicLike(3, 21);
    const full = fullChain();
    const wavHash = async (sets: string[]) => {
      const r = await renderChain(input, parseChain(applyOverrides(full, sets), 'test'));
      return createHash('sha256').update(encodeWav(r.channels, r.sampleRate, r.format)).digest('hex');
    };
    const pcm24 = await wavHash(['limiter.targetLufs=-14']);
    const pcm16At48k = await wavHash(['limiter.targetLufs=-14', 'output.format=pcm16', 'output.noiseShaping=shaped', 'output.sampleRateHz=48000']);
    expect({ pcm24, pcm16At48k }).toEqual(golden[VERSION]);
  });

  it('block-wise processing equals one-shot processing through the whole pre-limiter chain and the limiter', () => {
    const a = musicLike(2, 5);
    const chain = chainWith('saturation.driveDb=6');
    const make = () => [
      createEq(chain.stages.eq, FS), createCompressor(chain.stages.compressor, FS), createImager(chain.stages.imager, FS),
      createSaturation(chain.stages.saturation, FS), createLimiter({ ...chain.stages.limiter, gainDb: 6 }, FS),
    ];
    const oneShot = runProcessors(make(), a.left, a.right, a.left.length);
    for (const block of [1000, 4096, 333]) expect(sha256OfChannels(runProcessors(make(), a.left, a.right, block))).toBe(sha256OfChannels(oneShot));
  });

  it('reaches a loudness target within 0.1 LU under the ceiling, and says when it cannot', async () => {
    const a = musicLike(8, 7);
    const r = await renderChain(a, chainWith('limiter.targetLufs=-11', 'output.format=float32'));
    expect(Math.abs(measureLoudness(r.channels, FS).integratedLufs! + 11)).toBeLessThanOrEqual(0.1);
    expect(measureTruePeak(r.channels, FS).truePeakDbtp).toBeLessThanOrEqual(-1);
    expect(r.limiter?.targetReached).toBe(true);
    const capped = await renderChain(a, chainWith('limiter.targetLufs=-5', 'limiter.maxGainReductionDb=2', 'output.format=float32'));
    expect(capped.limiter?.targetReached).toBe(false);
    expect(capped.limiter!.maxGainReductionDb).toBeLessThanOrEqual(2.05);
    expect(capped.warnings.join(' ')).toMatch(/not reached/);
  });

  it('the tweak loop: a limiter change reuses the pre-limiter render and gives the same bits as a fresh render', async () => {
    const a = musicLike(4, 9);
    const session = new RenderSession(a);
    const first = await session.render(chainWith('limiter.gainDb=4'));
    expect(first.cache).toEqual({ preLimiter: 'miss', limiter: 'miss' });
    const tweaked = chainWith('limiter.gainDb=4', 'limiter.ceilingDbtp=-2');
    const second = await session.render(tweaked);
    expect(second.cache).toEqual({ preLimiter: 'memory', limiter: 'miss' });
    const third = await session.render(chainWith('limiter.gainDb=4', 'limiter.ceilingDbtp=-2', 'output.format=pcm16'));
    expect(third.cache).toEqual({ preLimiter: 'memory', limiter: 'memory' });
    expect(sha256OfChannels(second.channels)).toBe(sha256OfChannels((await renderChain(a, tweaked)).channels));
  });

  it.skipIf(!HAS_CORPUS)('never exceeds the ceiling on real music through the default chain, also after sample-rate conversion', async () => {
    for (const name of ['ref03_muldjord_chaos_god.flac', 'mix05_lmms_esp.flac']) {
      const audio = await decodeFile(join(CORPUS, name));
      for (const sets of [['limiter.targetLufs=-8', 'limiter.maxGainReductionDb=10'], ['limiter.gainDb=10', 'limiter.ceilingDbtp=-0.3', 'output.sampleRateHz=48000']]) {
        const r = await renderChain(audio, chainWith(...sets));
        const ceiling = sets.includes('limiter.ceilingDbtp=-0.3') ? -0.3 : -1;
        expect(measureTruePeak(r.channels, r.sampleRate).truePeakDbtp, `${name} ${sets.join(' ')}`).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});
