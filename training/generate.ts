/**
 * Self-supervised training data (after DeepAFx-ST, Steinmetz et al. 2022): for a song, two
 * excerpts A and B a few seconds apart; B goes through the refmaster chain with moves drawn at random over
 * their musical ranges and a random loudness; the model sees the analyzer's features of A (the
 * "mix") and of processed B (the "reference") and must recover the moves. Because A and B differ,
 * the model cannot copy sample-level detail: it has to learn what the moves do to the features.
 * DeepAFx-ST takes excerpts anywhere in the song, but it trains on far more data: here the
 * sections' own differences drowned the moves (see maxShiftS).
 *
 * One example per line in a JSON-lines file; workers split the songs between them and every
 * example's randomness comes from (seed, song, index), so the data does not depend on the number
 * of workers or their timing.
 */
import { FEATURE_VERSION } from '../src/analysis/features.js';
import { analyzeAudio } from '../src/analysis/analyze.js';
import { measureLoudness } from '../src/analysis/loudness.js';
import type { Chain } from '../src/chain/spec.js';
import { RenderSession } from '../src/chain/render.js';
import type { StereoAudio } from '../src/io/types.js';
import { assistantBase, assistantChain } from '../src/assistant/chain.js';
import { MODEL_EXCERPT_S } from '../src/assistant/excerpts.js';
import { applyMoves, MOVES, neutralMoves, TONE_MOVES, toUnit, type Moves } from '../src/assistant/params.js';
import { mulberry32 } from '../src/util/random.js';
import type { SourceSong, Split } from './sources.js';

export interface Example {
  song: string;
  split: Split;
  index: number;
  featureVersion: number;
  /** Analyzer features of excerpt A (the mix) and of processed B (the reference). */
  mix: number[];
  reference: number[];
  /** The moves B was processed with, normalised to [0, 1] (params.ts order). */
  moves: number[];
  /** The loudness B was brought to, minus its own, LU. */
  loudnessGainLu: number;
}

export interface GenerateOptions {
  excerptS: number;
  /** Largest offset of B from A, s. */
  maxShiftS: number;
  examplesPerSong: number;
  seed: number;
}

export const DEFAULT_GENERATE: GenerateOptions = { excerptS: MODEL_EXCERPT_S, maxShiftS: 3, examplesPerSong: 16, seed: 20261207 };
/** Chance that a move is left neutral, so "leave it alone" is a proposal the model learns too. */
export const NEUTRAL_CHANCE = 0.25;
/** Share of examples whose mix side gets its own tone and width (mixTone). */
const MIX_TONE_CHANCE = 0.7;
const LOUDNESS_GAIN_LU: [number, number] = [-1, 8];
const CEILING_DBTP = -1;

/** A stable 32-bit hash of a string (FNV-1a), to seed each song's examples. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function excerpt(audio: StereoAudio, start: number, length: number): StereoAudio {
  return { ...audio, left: audio.left.slice(start, start + length), right: audio.right.slice(start, start + length) };
}

export function drawMoves(rand: () => number): Moves {
  const moves = {} as Moves;
  for (const m of MOVES) {
    const neutral = rand() < NEUTRAL_CHANCE;
    moves[m.name] = neutral ? m.neutral : m.min + rand() * (m.max - m.min);
  }
  return moves;
}

/** The chain the references are rendered with: the master's base (high-pass, mono bass, limiter), the moves, and a loudness target. */
export function trainingChain(audio: StereoAudio, moves: Moves, targetLufs: number): Chain {
  const chain = assistantChain(audio, moves, { targetLufs: Math.min(-5, Math.max(-30, targetLufs)), ceilingDbtp: CEILING_DBTP, maxGainReductionDb: 12 });
  chain.stages.output.format = 'float32';
  return chain;
}

/** The examples of one song (deterministic from the seed and the song id). */
/**
 * The mix side's own tone and width, so that training sees mixes that differ from the reference by
 * more than the reference's moves (as real pairs do: the style profile, another song): A goes
 * through φ (EQ, air, width; no dynamics, no limiter) and the target becomes the move from A to the
 * reference, θ − φ for the dB moves and θ / φ for width, clamped to the ranges. EQ bands at the same
 * frequencies and Q add in dB, so θ − φ undoes φ and adds θ, as far as the ranges allow.
 */
export function mixTone(rand: () => number): Moves {
  const phi = neutralMoves();
  for (const m of MOVES) if (TONE_MOVES.includes(m.name)) phi[m.name] = m.min + rand() * (m.max - m.min);
  return phi;
}

export function relativeMoves(theta: Moves, phi: Moves): Moves {
  const out = { ...theta };
  for (const m of MOVES) {
    if (!TONE_MOVES.includes(m.name)) continue;
    const v = m.name === 'widthPercent' ? (100 * theta.widthPercent) / phi.widthPercent : theta[m.name] - phi[m.name];
    out[m.name] = Math.min(m.max, Math.max(m.min, v));
  }
  return out;
}

function toneChain(phi: Moves): Chain {
  const chain = assistantBase({ targetLufs: null, ceilingDbtp: -1, maxGainReductionDb: 4 });
  const s = chain.stages;
  s.eq.highpassSlopeDbPerOct = 0;
  s.imager.monoBelowHz = 0;
  s.compressor.bypass = true;
  s.limiter.bypass = true;
  s.output.format = 'float32';
  return applyMoves(chain, phi, { glueThreshold: () => 0 }, 'tone');
}

/** The examples of one song (deterministic from the seed and the song id). */
export async function songExamples(song: SourceSong, audio: StereoAudio, opts: GenerateOptions): Promise<Example[]> {
  const rand = mulberry32(hash(`${opts.seed}:${song.id}`));
  const n = Math.round(opts.excerptS * audio.sampleRate);
  const total = audio.left.length;
  if (total < n + audio.sampleRate) return [];
  const out: Example[] = [];
  for (let index = 0; index < opts.examplesPerSong; index++) {
    // B is A moved by up to ±maxShiftS: different samples, nearly the same music, so that the
    // features' differences come from the moves rather than from another section of the song
    // (measured: two 10 s excerpts anywhere in a song differ by 4–8 dB per band, more than the moves)
    const a = Math.floor(rand() * (total - n));
    const shift = Math.round((2 * rand() - 1) * opts.maxShiftS * audio.sampleRate);
    const b = Math.min(total - n, Math.max(0, a + shift));
    let mix = excerpt(audio, a, n);
    const source = excerpt(audio, b, n);
    const sourceLufs = measureLoudness([source.left, source.right], source.sampleRate).integratedLufs;
    const theta = drawMoves(rand);
    const gain = LOUDNESS_GAIN_LU[0] + rand() * (LOUDNESS_GAIN_LU[1] - LOUDNESS_GAIN_LU[0]);
    const phi = rand() < MIX_TONE_CHANCE ? mixTone(rand) : neutralMoves();
    if (sourceLufs === null) continue;
    if (TONE_MOVES.some((m) => phi[m] !== neutralMoves()[m])) {
      const toned = await new RenderSession(mix).render(toneChain(phi));
      mix = { ...mix, left: toned.channels[0], right: toned.channels[1] };
    }
    const rendered = await new RenderSession(source).render(trainingChain(source, theta, sourceLufs + gain));
    const reference: StereoAudio = { ...source, left: rendered.channels[0], right: rendered.channels[1], source: { ...source.source, lossy: false } };
    out.push({
      song: song.id,
      split: song.split,
      index,
      featureVersion: FEATURE_VERSION,
      mix: analyzeAudio(mix).features.values,
      reference: analyzeAudio(reference).features.values,
      moves: Array.from(toUnit(relativeMoves(theta, phi))),
      loudnessGainLu: gain,
    });
  }
  return out;
}
