/**
 * The chain document: one versioned JSON object that describes a whole mastering chain, stage by
 * stage in the fixed professional order, every parameter with its unit (in its name), range and
 * default, and a bypass per stage. This zod schema is the single definition: it validates user
 * input, fills defaults, gives the processors their parameter types, and exports the JSON Schema.
 */
import { z } from 'zod';
import { STAGE_ORDER } from './stages.js';

export const CHAIN_VERSION = 1;

/** A number with a unit, a range and a default; an out-of-range value is refused with the range in the message. */
function num(min: number, max: number, def: number, unit: string, description: string) {
  const range = `must be between ${min} and ${max}${unit ? ` ${unit}` : ''}`;
  return z
    .number({ error: `must be a number (${min} to ${max}${unit ? ` ${unit}` : ''})` })
    .min(min, { error: range })
    .max(max, { error: range })
    .default(def)
    .meta({ description, unit });
}

const bypass = (def: boolean) => z.boolean().default(def).meta({ description: 'skip this stage' });
const channelMode = z.enum(['stereo', 'mid', 'side']).default('stereo').meta({ description: 'which signal the band acts on' });

export const InputStage = z
  .object({
    bypass: bypass(false),
    gainDb: num(-24, 24, 0, 'dB', 'gain applied before everything else'),
  })
  .strict();

export const EqBand = z
  .object({
    type: z.enum(['bell', 'lowShelf', 'highShelf']).default('bell'),
    frequencyHz: num(20, 20000, 1000, 'Hz', 'centre (bell) or corner (shelf) frequency'),
    gainDb: num(-12, 12, 0, 'dB', 'boost or cut'),
    q: num(0.1, 10, 0.7, '', 'bandwidth: Q of the bell, slope of the shelf (0.707 = maximally steep without overshoot)'),
    channel: channelMode,
  })
  .strict();

export const EqStage = z
  .object({
    bypass: bypass(false),
    highpassHz: num(10, 60, 25, 'Hz', 'corrective high-pass corner (mastering practice: 20–30 Hz)'),
    highpassSlopeDbPerOct: z
      .union([z.literal(0), z.literal(6), z.literal(12), z.literal(18), z.literal(24), z.literal(36), z.literal(48)], {
        error: 'must be one of 0 (off), 6, 12, 18, 24, 36, 48 dB/oct',
      })
      .default(12)
      .meta({ description: 'Butterworth high-pass slope; 0 turns the high-pass off', unit: 'dB/oct' }),
    bands: z.array(EqBand).max(8, { error: 'at most 8 bands' }).default([]),
  })
  .strict();

export const MatchEqStage = z
  .object({
    bypass: bypass(true),
    phase: z.enum(['linear', 'minimum']).default('linear').meta({ description: 'linear-phase FIR (no phase shift, adds latency) or minimum-phase' }),
    frequenciesHz: z.array(z.number().min(10).max(24000)).default([]).meta({ description: 'band centres of the target curve, ascending', unit: 'Hz' }),
    midGainsDb: z.array(num(-12, 12, 0, 'dB', 'mid gain at each band centre')).default([]),
    sideGainsDb: z.array(num(-12, 12, 0, 'dB', 'side gain at each band centre')).default([]),
  })
  .strict()
  .refine((s) => s.midGainsDb.length === s.frequenciesHz.length && s.sideGainsDb.length === s.frequenciesHz.length, {
    error: 'midGainsDb and sideGainsDb need one value per entry of frequenciesHz',
  })
  .refine((s) => s.frequenciesHz.every((f, i) => i === 0 || f > s.frequenciesHz[i - 1]), { error: 'frequenciesHz must be ascending' });

export const CompressorStage = z
  .object({
    bypass: bypass(false),
    thresholdDb: num(-60, 0, -18, 'dBFS', 'level above which gain is reduced'),
    ratio: num(1, 4, 1.5, ':1', 'compression ratio (glue: 1.25–2)'),
    attackMs: num(0.1, 200, 30, 'ms', 'attack time (glue: slow, 10–30 ms)'),
    releaseMs: num(10, 2000, 200, 'ms', 'release time (with autoRelease: the slowest release)'),
    autoRelease: z.boolean().default(false).meta({ description: 'program-dependent release: faster after short transients' }),
    kneeDb: num(0, 24, 6, 'dB', 'soft-knee width'),
    makeupDb: num(-12, 12, 0, 'dB', 'gain after compression'),
    sidechainHpfHz: num(0, 300, 90, 'Hz', 'high-pass on the detector so bass does not pump the mix; 0 = off'),
    mixPercent: num(0, 100, 100, '%', 'dry/wet (parallel compression below 100)'),
  })
  .strict();

const MultibandBand = z
  .object({
    thresholdDb: num(-60, 0, -20, 'dBFS', 'band threshold'),
    ratio: num(1, 4, 1.5, ':1', 'band ratio'),
    attackMs: num(0.1, 200, 20, 'ms', 'band attack'),
    releaseMs: num(10, 2000, 200, 'ms', 'band release'),
    makeupDb: num(-12, 12, 0, 'dB', 'band make-up gain'),
  })
  .strict();

export const MultibandStage = z
  .object({
    bypass: bypass(true),
    crossoversHz: z
      .array(num(40, 16000, 1000, 'Hz', 'crossover frequency'))
      .min(2, { error: 'needs 2 crossovers (3 bands) or 3 (4 bands)' })
      .max(3, { error: 'needs 2 crossovers (3 bands) or 3 (4 bands)' })
      .default([200, 3000]),
    bands: z.array(MultibandBand).default([{}, {}, {}].map(() => MultibandBand.parse({}))),
  })
  .strict()
  .refine((s) => s.bands.length === s.crossoversHz.length + 1, { error: 'bands needs one entry more than crossoversHz' })
  .refine((s) => s.crossoversHz.every((f, i) => i === 0 || f > s.crossoversHz[i - 1] * 1.5), {
    error: 'crossoversHz must be ascending, at least half an octave apart',
  });

export const ImagerStage = z
  .object({
    bypass: bypass(false),
    monoBelowHz: num(0, 300, 120, 'Hz', 'everything below is made mono (0 = off)'),
    crossoversHz: z.array(num(40, 16000, 1000, 'Hz', 'width band edge')).min(1).max(3).default([300, 4000]),
    widthPercent: z.array(num(0, 200, 100, '%', 'side gain of the band: 0 mono, 100 unchanged, 200 twice the side')).default([100, 100, 100]),
  })
  .strict()
  .refine((s) => s.widthPercent.length === s.crossoversHz.length + 1, { error: 'widthPercent needs one entry more than crossoversHz' })
  .refine((s) => s.crossoversHz.every((f, i) => i === 0 || f > s.crossoversHz[i - 1] * 1.5), {
    error: 'crossoversHz must be ascending, at least half an octave apart',
  });

export const SaturationStage = z
  .object({
    bypass: bypass(false),
    type: z.enum(['tape', 'tube']).default('tape').meta({ description: 'tape: symmetric, odd harmonics; tube: asymmetric, even harmonics' }),
    driveDb: num(0, 24, 2, 'dB', 'gain into the curve (the output is compensated)'),
    mixPercent: num(0, 100, 100, '%', 'dry/wet'),
  })
  .strict();

export const CharacterStage = z
  .object({
    bypass: bypass(false),
    airFrequencyHz: num(5000, 20000, 12000, 'Hz', 'corner of the air shelf'),
    airGainDb: num(-6, 6, 0, 'dB', 'air shelf gain'),
  })
  .strict();

export const LimiterStage = z
  .object({
    bypass: bypass(false),
    ceilingDbtp: num(-6, 0, -1, 'dBTP', 'true-peak ceiling, measured on the 4x oversampled signal'),
    gainDb: num(0, 24, 0, 'dB', 'gain into the limiter (ignored when targetLufs is set)'),
    targetLufs: z
      .number()
      .min(-30, { error: 'must be between -30 and -5 LUFS' })
      .max(-5, { error: 'must be between -30 and -5 LUFS' })
      .nullable()
      .default(null)
      .meta({ description: 'integrated loudness to reach; the gain into the limiter is found for it', unit: 'LUFS' }),
    maxGainReductionDb: num(0, 20, 4, 'dB', 'most peak gain reduction a loudness target may cost before it is reported as unreachable'),
    lookaheadMs: num(0.5, 10, 5, 'ms', 'look-ahead: the limiter sees peaks coming and ramps down before them'),
    releaseMs: num(1, 2000, 100, 'ms', 'release time'),
  })
  .strict();

export const OutputStage = z
  .object({
    sampleRateHz: z
      .number()
      .int({ error: 'must be a whole number of Hz' })
      .min(8000, { error: 'must be between 8000 and 192000 Hz' })
      .max(192000, { error: 'must be between 8000 and 192000 Hz' })
      .nullable()
      .default(null)
      .meta({ description: 'output sample rate; null keeps the source rate', unit: 'Hz' }),
    format: z.enum(['pcm16', 'pcm24', 'float32']).default('pcm24'),
    dither: z.enum(['tpdf', 'none']).default('tpdf').meta({ description: 'TPDF dither for PCM output (seeded, so renders are repeatable)' }),
    noiseShaping: z.enum(['none', 'shaped']).default('none').meta({ description: 'move the dither noise towards high frequencies' }),
    ditherSeed: z.number().int().min(0).max(2 ** 32 - 1).default(1).meta({ description: 'seed of the dither generator' }),
  })
  .strict();

export const STAGE_SCHEMAS = {
  input: InputStage,
  eq: EqStage,
  matchEq: MatchEqStage,
  compressor: CompressorStage,
  multiband: MultibandStage,
  imager: ImagerStage,
  saturation: SaturationStage,
  character: CharacterStage,
  limiter: LimiterStage,
  output: OutputStage,
} as const;

export type { StageName } from './stages.js';
export { STAGE_ORDER } from './stages.js';
// The schema's stages are exactly the renderer's, in its order (checked when this module loads).
if (Object.keys(STAGE_SCHEMAS).join() !== STAGE_ORDER.join()) throw new Error('chain spec: stages out of step with stages.ts');

export const ChainSchema = z
  .object({
    refmaster: z.literal('chain', { error: 'is not a refmaster chain (expected "refmaster": "chain")' }),
    version: z.number().int().min(1),
    stages: z
      .object({
        input: InputStage.prefault({}),
        eq: EqStage.prefault({}),
        matchEq: MatchEqStage.prefault({}),
        compressor: CompressorStage.prefault({}),
        multiband: MultibandStage.prefault({}),
        imager: ImagerStage.prefault({}),
        saturation: SaturationStage.prefault({}),
        character: CharacterStage.prefault({}),
        limiter: LimiterStage.prefault({}),
        output: OutputStage.prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Chain = z.infer<typeof ChainSchema>;
export type InputParams = z.infer<typeof InputStage>;
export type EqParams = z.infer<typeof EqStage>;
export type EqBandParams = z.infer<typeof EqBand>;
export type MatchEqParams = z.infer<typeof MatchEqStage>;
export type CompressorParams = z.infer<typeof CompressorStage>;
export type MultibandParams = z.infer<typeof MultibandStage>;
export type ImagerParams = z.infer<typeof ImagerStage>;
export type SaturationParams = z.infer<typeof SaturationStage>;
export type CharacterParams = z.infer<typeof CharacterStage>;
export type LimiterParams = z.infer<typeof LimiterStage>;
export type OutputParams = z.infer<typeof OutputStage>;
