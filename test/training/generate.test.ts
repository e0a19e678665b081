import { describe, expect, it } from 'vitest';
import { neutralMoves } from '../../src/assistant/params.js';
import { drawMoves, relativeMoves } from '../../training/generate.js';
import { mulberry32 } from '../../src/util/random.js';

describe('training targets', () => {
  it('the move from a toned mix to the reference is θ − φ in dB and θ / φ in width, clamped to the ranges; dynamics stay θ', () => {
    const theta = { ...neutralMoves(), lowShelfDb: 3, presenceDb: -1, widthPercent: 120, glueReductionDb: 2, saturationDb: 4 };
    const phi = { ...neutralMoves(), lowShelfDb: -2, presenceDb: 1.5, widthPercent: 80 };
    const r = relativeMoves(theta, phi);
    expect(r.lowShelfDb).toBe(4); // 5 dB wanted, the range stops at +4
    expect(r.presenceDb).toBe(-2.5);
    expect(r.widthPercent).toBe(140); // 150 % wanted, the range stops at 140
    expect([r.glueReductionDb, r.saturationDb]).toEqual([2, 4]);
    expect(relativeMoves(theta, neutralMoves())).toEqual(theta);
  });

  it('draws repeatable moves inside their ranges, some of them neutral', () => {
    const a = Array.from({ length: 200 }, ((rand) => () => drawMoves(rand))(mulberry32(5)));
    const b = Array.from({ length: 200 }, ((rand) => () => drawMoves(rand))(mulberry32(5)));
    expect(a).toEqual(b);
    const neutral = a.filter((m) => m.glueReductionDb === 0).length / a.length;
    expect(neutral).toBeGreaterThan(0.15);
    expect(neutral).toBeLessThan(0.35);
    for (const m of a) expect(m.widthPercent).toBeGreaterThanOrEqual(70);
  });
});
