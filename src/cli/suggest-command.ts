/** `refmaster suggest MIX [--reference REF ... | --target T] [--json] [-o chain.json]`: the model's proposal, with reasons. */
import { measureLoudness } from '../analysis/loudness.js';
import { excerptFeatures, meanFeatures } from '../assistant/excerpts.js';
import { assistantChain } from '../assistant/chain.js';
import { DEFAULT_MODEL_PATH, loadAssistantModel, suggest, type Suggestion } from '../assistant/suggest.js';
import { loadStyleProfile, profileAsReference } from '../assistant/target-profile.js';
import type { Chain } from '../chain/spec.js';
import { writeTextFile } from '../io/atomic.js';
import { decodeFile } from '../io/decode.js';
import { targetByName, TARGETS } from '../master/targets.js';
import { AudioFileError, UserError } from '../util/errors.js';
import { clearProgress, progress } from './run.js';

export interface SuggestCommandOptions {
  reference?: string[];
  target?: string;
  loudness?: string;
  ceiling?: string;
  model?: string;
  output?: string;
  json?: boolean;
}

export interface SuggestReport {
  mix: string;
  references: string[];
  /** "references" or the target's name: what the model was asked to move towards. */
  towards: string;
  loudness: { targetLufs: number; ceilingDbtp: number; source: string };
  suggestion: Suggestion;
  chain: Chain;
}

function parseNumber(text: string | undefined, what: string, min: number, max: number, unit: string): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (!Number.isFinite(x) || x < min || x > max) throw new UserError(`${what} must be a number from ${min} to ${max} ${unit} (got "${text}")`);
  return x;
}

export async function runSuggest(mixPath: string, opts: SuggestCommandOptions): Promise<SuggestReport> {
  const references = opts.reference ?? [];
  if (references.length > 0 && opts.target) throw new UserError('give references or --target, not both (the target sets the loudness; use --loudness with references)');
  const target = targetByName(opts.target ?? 'spotify');
  const model = await loadAssistantModel(opts.model ?? DEFAULT_MODEL_PATH);
  progress(`analysing ${mixPath}`);
  const mixAudio = await decodeFile(mixPath);
  const loudnessOf = (a: typeof mixAudio) => measureLoudness([a.left, a.right], a.sampleRate);
  const mixLoudness = loudnessOf(mixAudio);
  if (mixLoudness.integratedLufs === null) throw new AudioFileError(mixPath, 'silent or too short for a loudness measurement: nothing to suggest');
  const mixRows = excerptFeatures(mixAudio);
  const refFeatures: number[][] = [];
  const refLoudness: number[] = [];
  for (const path of references) {
    progress(`analysing ${path}`);
    const audio = await decodeFile(path);
    const lufs = loudnessOf(audio).integratedLufs;
    if (lufs === null) throw new AudioFileError(path, 'silent or too short for a loudness measurement');
    refFeatures.push(meanFeatures(excerptFeatures(audio)));
    refLoudness.push(lufs);
  }
  const ceilingDbtp = parseNumber(opts.ceiling, '--ceiling', -6, 0, 'dBTP') ?? target.ceilingDbtp;
  const explicit = parseNumber(opts.loudness, '--loudness', -30, -5, 'LUFS');
  const fromRefs = refLoudness.length > 0 ? Math.round((refLoudness.reduce((a, b) => a + b, 0) / refLoudness.length) * 10) / 10 : null;
  const targetLufs = explicit ?? fromRefs ?? target.integratedLufs;
  const source = explicit !== undefined ? '--loudness' : fromRefs !== null ? 'references' : `--target ${target.name}`;
  const reference = refFeatures.length > 0 ? meanFeatures(refFeatures) : profileAsReference(loadStyleProfile(), targetLufs, ceilingDbtp);
  progress('asking the model');
  const suggestion = await suggest(model, mixRows, reference);
  const chain = assistantChain(mixAudio, suggestion.moves, { targetLufs, ceilingDbtp, maxGainReductionDb: explicit !== undefined ? 20 : 4 }, mixLoudness.momentaryLufs);
  clearProgress();
  return { mix: mixPath, references, towards: references.length > 0 ? 'references' : target.name, loudness: { targetLufs, ceilingDbtp, source }, suggestion, chain };
}

export function formatSuggestion(rep: SuggestReport): string {
  const towards = rep.references.length > 0 ? `the reference${rep.references.length > 1 ? 's' : ''} ${rep.references.join(', ')}` : `the ${TARGETS[rep.towards]?.label ?? rep.towards} target with the released-music style profile`;
  const lines = [`Assistant proposal for ${rep.mix}, towards ${towards}:`];
  for (const r of rep.suggestion.reasons) {
    if (r.move === 'glueRatio') continue; // said with the glue
    lines.push(`  ${(r.active ? r.setting : `(${r.setting}: left alone)`).padEnd(58)} ${r.reason}`);
  }
  lines.push(`  ${`limiter to ${rep.loudness.targetLufs.toFixed(1)} LUFS, ceiling ${rep.loudness.ceilingDbtp} dBTP`.padEnd(58)} from ${rep.loudness.source}`);
  return lines.join('\n');
}

export async function suggestCommand(mix: string, opts: SuggestCommandOptions): Promise<number> {
  const rep = await runSuggest(mix, opts);
  if (opts.output) await writeTextFile(opts.output, `${JSON.stringify(rep.chain, null, 2)}\n`, [mix, ...rep.references]);
  if (opts.json) process.stdout.write(`${JSON.stringify(rep, null, 2)}\n`);
  else {
    process.stdout.write(`${formatSuggestion(rep)}\n`);
    if (opts.output) process.stdout.write(`\nChain written to ${opts.output}; render it with:\n  refmaster render ${mix} --chain ${opts.output} -o master.wav\n`);
  }
  return 0;
}
