import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { FEATURES } from '../../src/analysis/features.js';
import { loadAssistantModel, suggest } from '../../src/assistant/suggest.js';
import { profileAsReference, type StyleProfile } from '../../src/assistant/target-profile.js';
import { neutralMoves } from '../../src/assistant/params.js';
import { glueContext } from '../../src/assistant/chain.js';
import { assist } from '../../src/master/assist.js';
import { planChain } from '../../src/master/plan.js';
import { measureProfile } from '../../src/master/profile.js';
import { floatWavAudio } from '../helpers/audio.js';
import { constantModel } from '../helpers/model.js';
import { seededNoise } from '../helpers/signals.js';

const names = FEATURES.map((f) => f.name);
const at = (n: string) => names.indexOf(n);

describe('suggest', () => {
  it('gives the moves the model outputs (a constant model), with reasons from the features', async () => {
    const moves = { ...neutralMoves(), lowShelfDb: 2, glueReductionDb: 1.5, glueRatio: 2, widthPercent: 120 };
    const model = await loadAssistantModel(constantModel(moves));
    const mix = names.map(() => 0), ref = mix.slice();
    for (const hz of [50, 63, 80, 100, 125, 160]) ref[at(`spectrum.midDb.${hz}Hz`)] = 3;
    mix[at('loudness.rangeLu')] = 8;
    ref[at('loudness.rangeLu')] = 4;
    const s = await suggest(model, [mix, mix], ref);
    for (const [k, v] of Object.entries(moves)) expect(s.moves[k as keyof typeof moves]).toBeCloseTo(v, 4);
    const reason = (m: string) => s.reasons.find((r) => r.move === m);
    expect(reason('lowShelfDb')?.setting).toBe('low shelf +2.0 dB at 110 Hz');
    expect(reason('lowShelfDb')?.reason).toBe('the reference has 3.0 dB more bass (50–160 Hz) than the mix, relative to loudness');
    expect(reason('glueReductionDb')?.reason).toContain('swings 4.0 LU more');
    expect(reason('presenceDb')?.active).toBe(false);
  });

  it('refuses a model of another feature version or parameter space, and non-finite features', async () => {
    await expect(loadAssistantModel(constantModel(neutralMoves(), { 'refmaster.featureVersion': '999' }))).rejects.toThrow(/trained on feature version 999/);
    await expect(loadAssistantModel(constantModel(neutralMoves(), { 'refmaster.outputNames': '["a"]' }))).rejects.toThrow(/proposes a, this refmaster knows/);
    const model = await loadAssistantModel(constantModel(neutralMoves()));
    await expect(suggest(model, [names.map(() => NaN)], names.map(() => 0))).rejects.toThrow(/not all finite/);
  });
});

describe('target profile', () => {
  it('moves the level figures to the target and keeps peaks under the ceiling', () => {
    const values = names.map((_, i) => i / 10);
    values[at('loudness.integratedLufs')] = -9;
    values[at('loudness.shortTermMaxLufs')] = -7;
    values[at('peak.truePeakDbtp')] = 0.5;
    const profile: StyleProfile = { name: 't', description: '', featureVersion: 1, tracks: 3, names, values };
    const v = profileAsReference(profile, -14, -1);
    expect(v[at('loudness.integratedLufs')]).toBe(-14);
    expect(v[at('loudness.shortTermMaxLufs')]).toBe(-12);
    // 5 dB quieter: the peaks follow, the PLR stays
    expect(v[at('peak.truePeakDbtp')]).toBe(-4.5);
    expect(v[at('dynamics.plrDb')]).toBe(9.5);
    expect(v[at('spectrum.midDb.1000Hz')]).toBe(values[at('spectrum.midDb.1000Hz')]);
    // 3 dB louder: the peaks would pass the ceiling, so they stop there and the PLR shrinks
    const loud = profileAsReference(profile, -6, -1);
    expect(loud[at('peak.truePeakDbtp')]).toBe(-1);
    expect(loud[at('dynamics.plrDb')]).toBe(5);
  });
});

describe('master with the assistant', () => {
  const audio = floatWavAudio(seededNoise(44100 * 6, 1, 0.3), seededNoise(44100 * 6, 2, 0.3), 44100);
  const mixFeatures = [analyzeAudio(audio).features.values];
  const plan = () => planChain(measureProfile(audio), {
    reference: measureProfile(audio), strengths: { eq: 1, width: 1, dynamics: 1, loudness: 1 }, maxEqDb: 6, maxGlueDb: 3,
    limiter: { targetLufs: -14, ceilingDbtp: -1, maxGainReductionDb: 4, bypass: false }, glueThreshold: () => -20, sampleRate: 44100,
  });

  it('combined: the analytic EQ curve stays, glue and saturation come from the model, each decision says where from', async () => {
    const moves = { ...neutralMoves(), glueReductionDb: 2, glueRatio: 1.75, saturationDb: 3, lowShelfDb: 4 };
    const r = await assist({ mode: 'combined', modelPath: constantModel(moves), glueThreshold: glueContext(audio).glueThreshold, mixFeatures, referenceFeatures: mixFeatures, plan: plan() });
    expect(r.mode).toBe('combined');
    const s = r.plan.chain.stages;
    expect(s.matchEq).toEqual(plan().chain.stages.matchEq);
    expect(s.eq.bands).toEqual([]);
    expect([s.compressor.ratio, s.saturation.driveDb]).toEqual([1.75, 3]);
    expect(r.plan.decisions.filter((d) => d.source === 'model').map((d) => d.stage)).toEqual(['compressor', 'saturation']);
    expect(r.plan.decisions.find((d) => d.stage === 'eq')?.source).toBe('analytic');
  });

  it('falls back to the analytic plan with a warning when the model cannot be used', async () => {
    const r = await assist({ mode: 'model', modelPath: '/nonexistent/model.onnx', glueThreshold: glueContext(audio).glueThreshold, mixFeatures, referenceFeatures: [], plan: plan() });
    expect(r.mode).toBe('off');
    expect(r.plan.chain).toEqual(plan().chain);
    expect(r.warnings).toEqual(['assistant not used: /nonexistent/model.onnx: cannot read the model (ENOENT); the analytic plan was used instead']);
  });
});
