/**
 * The model's parameter space: the few musical moves it proposes, each a named value with a unit
 * and a range. The model outputs one number in [0, 1] per move (a sigmoid), mapped linearly into
 * the range, so every proposal is a valid chain by construction. Training draws the moves from the
 * same ranges (training/generate.ts), and applyMoves turns them into chain parameters for both.
 *
 * Loudness and the ceiling are not moves: they are delivery decisions (platform, reference or the
 * user, see master/master.ts), reached exactly by the limiter's target search. What the model
 * decides is how the way there is shared between glue, saturation and limiting, and the tone and
 * width on the way.
 */
import type { Chain, CompressorParams } from '../chain/spec.js';

export interface MoveSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  /** The move that changes nothing (a neutral proposal), used by tests and the fallback. */
  neutral: number;
  description: string;
}

export const MOVES = [
  { name: 'lowShelfDb', unit: 'dB', min: -4, max: 4, neutral: 0, description: 'low shelf at 110 Hz (eq band 1)' },
  { name: 'lowMidDb', unit: 'dB', min: -4, max: 2, neutral: 0, description: 'bell at 300 Hz, Q 1 (eq band 2)' },
  { name: 'presenceDb', unit: 'dB', min: -3, max: 3, neutral: 0, description: 'bell at 3 kHz, Q 1 (eq band 3)' },
  { name: 'airDb', unit: 'dB', min: -2, max: 4, neutral: 0, description: 'air shelf at 12 kHz (character stage)' },
  { name: 'glueReductionDb', unit: 'dB', min: 0, max: 3, neutral: 0, description: 'glue compressor gain reduction on the loud passages' },
  { name: 'glueRatio', unit: ':1', min: 1.25, max: 2.5, neutral: 1.5, description: 'glue compressor ratio' },
  { name: 'widthPercent', unit: '%', min: 70, max: 140, neutral: 100, description: 'side gain above 300 Hz (below 120 Hz stays mono)' },
  { name: 'saturationDb', unit: 'dB', min: 0, max: 6, neutral: 0, description: 'tape saturation drive' },
] as const satisfies readonly MoveSpec[];

export type MoveName = (typeof MOVES)[number]['name'];
export type Moves = Record<MoveName, number>;

export const MOVE_NAMES: MoveName[] = MOVES.map((m) => m.name);

export const LOW_SHELF_HZ = 110;
export const LOW_MID_HZ = 300;
export const PRESENCE_HZ = 3000;
export const AIR_HZ = 12000;
/** Below this a move is left out of the chain (bypassed): the output cannot tell. */
const NEGLIGIBLE_DB = 0.05;
const GLUE_ATTACK_MS = 30;
const GLUE_RELEASE_MS = 300;

export function fromUnit(y: ArrayLike<number>): Moves {
  const out = {} as Moves;
  MOVES.forEach((m, i) => {
    const t = Math.min(1, Math.max(0, y[i]));
    out[m.name] = m.min + t * (m.max - m.min);
  });
  return out;
}

export function toUnit(moves: Moves): Float32Array {
  return Float32Array.from(MOVES, (m) => (moves[m.name] - m.min) / (m.max - m.min));
}

export function neutralMoves(): Moves {
  return Object.fromEntries(MOVES.map((m) => [m.name, m.neutral])) as Moves;
}

export interface ApplyContext {
  /** The compressor threshold (dBFS) that gives `reductionDb` of gain reduction on the mix's loud passages (master/glue.ts). */
  glueThreshold: (params: CompressorParams, reductionDb: number) => number;
}

/** The moves that shape tone and width, and those that shape dynamics (see master's combined mode). */
export const TONE_MOVES: MoveName[] = ['lowShelfDb', 'lowMidDb', 'presenceDb', 'airDb', 'widthPercent'];
export const DYNAMICS_MOVES: MoveName[] = ['glueReductionDb', 'glueRatio', 'saturationDb'];

/**
 * Writes the moves into a copy of `base` (its other settings kept): EQ bands, glue, imager width,
 * saturation, air; `part` limits it to the tone or the dynamics moves (the rest keeps base's settings).
 */
export function applyMoves(base: Chain, moves: Moves, ctx: ApplyContext, part: 'all' | 'tone' | 'dynamics' = 'all'): Chain {
  const chain: Chain = structuredClone(base);
  if (part !== 'dynamics') applyTone(chain, moves);
  if (part !== 'tone') applyDynamics(chain, moves, ctx);
  return chain;
}

function applyTone(chain: Chain, moves: Moves): void {
  const s = chain.stages;
  const bands = [
    { type: 'lowShelf' as const, frequencyHz: LOW_SHELF_HZ, gainDb: moves.lowShelfDb, q: 0.7 },
    { type: 'bell' as const, frequencyHz: LOW_MID_HZ, gainDb: moves.lowMidDb, q: 1 },
    { type: 'bell' as const, frequencyHz: PRESENCE_HZ, gainDb: moves.presenceDb, q: 1 },
  ].filter((b) => Math.abs(b.gainDb) >= NEGLIGIBLE_DB);
  s.eq.bands = bands.map((b) => ({ ...b, gainDb: round2(b.gainDb), channel: 'stereo' as const }));

  s.character.bypass = Math.abs(moves.airDb) < NEGLIGIBLE_DB;
  s.character.airFrequencyHz = AIR_HZ;
  s.character.airGainDb = round2(moves.airDb);

  const width = Math.round(moves.widthPercent);
  s.imager.bypass = false;
  s.imager.widthPercent = s.imager.widthPercent.map((w, i) => (i === 0 ? w : width));
}

function applyDynamics(chain: Chain, moves: Moves, ctx: ApplyContext): void {
  const s = chain.stages;
  const comp = s.compressor;
  comp.bypass = moves.glueReductionDb < NEGLIGIBLE_DB;
  comp.ratio = round2(moves.glueRatio);
  comp.attackMs = GLUE_ATTACK_MS;
  comp.releaseMs = GLUE_RELEASE_MS;
  comp.autoRelease = true;
  comp.makeupDb = 0;
  comp.mixPercent = 100;
  if (!comp.bypass) comp.thresholdDb = ctx.glueThreshold(comp, moves.glueReductionDb);

  s.saturation.bypass = moves.saturationDb < NEGLIGIBLE_DB;
  s.saturation.type = 'tape';
  s.saturation.driveDb = round2(moves.saturationDb);
  s.saturation.mixPercent = 100;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
