/** The chain document's contract: defaults, ranges in errors, versioning, JSON Schema export, overrides. */
import { describe, expect, it } from 'vitest';
import { chainJsonSchema, defaultChain, parseChain } from '../../src/chain/load.js';
import { applyOverrides, didYouMean, parameterNames } from '../../src/chain/overrides.js';
import { CHAIN_VERSION, ChainSchema, STAGE_ORDER } from '../../src/chain/spec.js';

const base = { refmaster: 'chain', version: CHAIN_VERSION };

describe('chain document', () => {
  it('fills every stage and parameter with its default, in the professional order', () => {
    const chain = defaultChain();
    expect(Object.keys(chain.stages)).toEqual(STAGE_ORDER);
    expect(STAGE_ORDER).toEqual(['input', 'eq', 'matchEq', 'compressor', 'multiband', 'imager', 'saturation', 'character', 'limiter', 'output']);
    expect(chain.stages.input.gainDb).toBe(0);
    expect(chain.stages.limiter.ceilingDbtp).toBe(-1);
    expect(chain.stages.imager.monoBelowHz).toBe(120);
    expect(chain.stages.compressor.ratio).toBeGreaterThanOrEqual(1.25);
    expect(chain.stages.compressor.ratio).toBeLessThanOrEqual(2);
    expect(chain.stages.eq.highpassHz).toBeGreaterThanOrEqual(20);
    expect(chain.stages.eq.highpassHz).toBeLessThanOrEqual(30);
  });

  it('the written-out default chain is exactly what the schema fills into an empty document, and a fresh copy each time', () => {
    expect(defaultChain()).toStrictEqual(ChainSchema.parse(base));
    const a = defaultChain();
    a.stages.multiband.bands[0].ratio = 3;
    expect(defaultChain().stages.multiband.bands[0].ratio).toBe(1.5);
  });

  it('refuses an out-of-range value with the allowed range and the value given', () => {
    expect(() => parseChain({ ...base, stages: { compressor: { ratio: 6 } } }, 'c.json')).toThrow(
      'c.json: stages.compressor.ratio must be between 1 and 4 :1 (got 6)',
    );
    expect(() => parseChain({ ...base, stages: { limiter: { ceilingDbtp: 0.5 } } }, 'c.json')).toThrow(/between -6 and 0 dBTP/);
    expect(() => parseChain({ ...base, stages: { eq: { highpassSlopeDbPerOct: 30 } } }, 'c.json')).toThrow(/one of 0 \(off\), 6, 12/);
  });

  it('refuses unknown parameters and a newer version', () => {
    expect(() => parseChain({ ...base, stages: { compresor: {} } }, 'c.json')).toThrow('unknown parameter stages.compresor');
    expect(() => parseChain({ ...base, version: CHAIN_VERSION + 1 }, 'c.json')).toThrow(/newer than this refmaster/);
    expect(() => parseChain({ version: 1 }, 'c.json')).toThrow(/not a refmaster chain/);
  });

  it('exports a JSON Schema with units, ranges and defaults', () => {
    const schema = chainJsonSchema() as { properties: { stages: { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> } } };
    const ceiling = schema.properties.stages.properties.limiter.properties.ceilingDbtp;
    expect(ceiling).toMatchObject({ type: 'number', minimum: -6, maximum: 0, default: -1, unit: 'dBTP' });
    expect(Object.keys(schema.properties.stages.properties)).toEqual(STAGE_ORDER);
  });
});

describe('--set overrides', () => {
  it('sets parameters by stage.param, parsing JSON values', () => {
    const raw = applyOverrides(base, ['input.gainDb=3', 'limiter.ceilingDbtp=-1.5', 'compressor.ratio=1.5', 'limiter.targetLufs=null', 'output.format=pcm16']);
    const chain = parseChain(raw, '--set');
    expect(chain.stages.input.gainDb).toBe(3);
    expect(chain.stages.limiter.ceilingDbtp).toBe(-1.5);
    expect(chain.stages.compressor.ratio).toBe(1.5);
    expect(chain.stages.limiter.targetLufs).toBeNull();
    expect(chain.stages.output.format).toBe('pcm16');
  });

  it('creates array items by index, with their defaults', () => {
    const chain = parseChain(applyOverrides(base, ['eq.bands.1.gainDb=-2', 'eq.bands.1.channel=side']), '--set');
    expect(chain.stages.eq.bands).toHaveLength(2);
    expect(chain.stages.eq.bands[0]).toMatchObject({ type: 'bell', gainDb: 0 });
    expect(chain.stages.eq.bands[1]).toMatchObject({ gainDb: -2, channel: 'side', frequencyHz: 1000 });
  });

  it('does not change the document it starts from', () => {
    const raw = { ...base, stages: { input: { gainDb: 1 } } };
    applyOverrides(raw, ['input.gainDb=5']);
    expect(raw.stages.input.gainDb).toBe(1);
  });

  it('suggests the closest name for an unknown one', () => {
    expect(() => applyOverrides(base, ['limiter.ceilingDb=-1'])).toThrow('--set limiter.ceilingDb: unknown parameter (did you mean limiter.ceilingDbtp?)');
    expect(() => applyOverrides(base, ['compresor.ratio=2'])).toThrow('did you mean compressor.ratio?');
    expect(() => applyOverrides(base, ['gain=2'])).toThrow(/unknown parameter/);
    expect(didYouMean('input.gain', parameterNames())).toBe('input.gainDb');
    expect(didYouMean('zzzzzzzz', parameterNames())).toBeNull();
  });
});
