import { describe, expect, it } from 'vitest';
import { applyMoves, fromUnit, MOVES, neutralMoves, toUnit, type Moves } from '../../src/assistant/params.js';
import { assistantBase } from '../../src/assistant/chain.js';
import { ChainSchema } from '../../src/chain/spec.js';

const base = () => assistantBase({ targetLufs: -14, ceilingDbtp: -1, maxGainReductionDb: 4 });
const noGlue = { glueThreshold: () => { throw new Error('glue threshold searched for a bypassed compressor'); } };

describe('moves', () => {
  it('map [0, 1] onto each range and back, clamping outside it', () => {
    const m = fromUnit(MOVES.map(() => 0.25));
    for (const s of MOVES) expect(m[s.name]).toBeCloseTo(s.min + 0.25 * (s.max - s.min), 12);
    expect(Array.from(toUnit(m))).toEqual(MOVES.map(() => 0.25));
    const clamped = fromUnit(MOVES.map((_, i) => (i % 2 ? -3 : 7)));
    for (const [i, s] of MOVES.entries()) expect(clamped[s.name]).toBe(i % 2 ? s.min : s.max);
  });

  it('neutral moves add nothing to the base chain', () => {
    const chain = applyMoves(base(), neutralMoves(), noGlue);
    const s = chain.stages;
    expect(s.eq.bands).toEqual([]);
    expect(s.character.bypass && s.compressor.bypass && s.saturation.bypass).toBe(true);
    expect(s.imager.widthPercent).toEqual([100, 100, 100]);
    expect(s.limiter.targetLufs).toBe(-14);
  });

  it('the extremes of every range make a chain the schema accepts, with the moves in it', () => {
    for (const end of [0, 1]) {
      const moves = fromUnit(MOVES.map(() => end)) as Moves;
      const searched: number[] = [];
      const chain = applyMoves(base(), moves, { glueThreshold: (_p, db) => (searched.push(db), -21.5) });
      expect(() => ChainSchema.parse(chain)).not.toThrow();
      const s = chain.stages;
      const bands = s.eq.bands.map((b) => [b.type, b.frequencyHz, b.gainDb]);
      if (end === 0) {
        expect(bands).toEqual([['lowShelf', 110, -4], ['bell', 300, -4], ['bell', 3000, -3]]);
        expect(s.compressor.bypass).toBe(true);
        expect(s.imager.widthPercent).toEqual([100, 70, 70]);
        expect(s.character.airGainDb).toBe(-2);
      } else {
        expect(bands).toEqual([['lowShelf', 110, 4], ['bell', 300, 2], ['bell', 3000, 3]]);
        expect(searched).toEqual([3]);
        expect([s.compressor.bypass, s.compressor.thresholdDb, s.compressor.ratio]).toEqual([false, -21.5, 2.5]);
        expect([s.saturation.bypass, s.saturation.driveDb]).toEqual([false, 6]);
        expect(s.imager.widthPercent).toEqual([100, 140, 140]);
      }
    }
  });

  it('"tone" and "dynamics" parts leave the other moves to the base', () => {
    const moves = fromUnit(MOVES.map(() => 1));
    const tone = applyMoves(base(), moves, noGlue, 'tone');
    expect(tone.stages.eq.bands).toHaveLength(3);
    expect(tone.stages.compressor).toEqual(base().stages.compressor);
    const dyn = applyMoves(base(), moves, { glueThreshold: () => -20 }, 'dynamics');
    expect(dyn.stages.eq.bands).toEqual([]);
    expect(dyn.stages.saturation.driveDb).toBe(6);
  });
});
