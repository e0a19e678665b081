/** `refmaster render IN [--chain chain.json] [--set stage.param=value ...] -o OUT [--json]` */
import { applyOverrides } from '../chain/overrides.js';
import { defaultChain, loadChainFile, parseChain } from '../chain/load.js';
import { DiskCache } from '../chain/disk-cache.js';
import { RenderSession, type RenderResult } from '../chain/render.js';
import { decodeFile } from '../io/decode.js';
import { writeWavFile } from '../io/wav-encode.js';
import { fmt } from './format.js';
import { clearProgress, progress } from './run.js';

export interface RenderCommandOptions {
  chain?: string;
  set?: string[];
  output: string;
  json?: boolean;
  /** Directory that keeps the pre-limiter render between runs (the tweak loop). */
  cache?: string;
}

export function formatRender(r: RenderResult, outPath: string): string {
  const lines = [`${outPath}: ${fmt(r.output.integratedLufs, 1, 'LUFS')}, true peak ${fmt(r.output.truePeakDbtp, 2, 'dBTP')}`];
  for (const s of r.stages) {
    lines.push(`  ${s.stage.padEnd(10)} ${s.bypassed ? 'bypassed' : s.notes.join('; ') || 'on'}`);
  }
  for (const w of r.warnings) lines.push(`  ! ${w}`);
  return `${lines.join('\n')}\n`;
}

export async function renderCommand(input: string, opts: RenderCommandOptions): Promise<number> {
  const raw = opts.chain ? await loadChainFile(opts.chain) : defaultChain();
  const source = opts.chain ?? 'default chain';
  const chain = parseChain(applyOverrides(raw, opts.set ?? []), opts.set?.length ? `${source} with --set` : source);
  progress(`decoding ${input}…`);
  const audio = await decodeFile(input);
  const disk = opts.cache ? { cache: new DiskCache(opts.cache), inputId: await DiskCache.inputId(input) } : undefined;
  const result = await new RenderSession(audio, disk).render(chain, (stage) => progress(`rendering: ${stage}…`));
  progress(`writing ${opts.output}…`);
  await writeWavFile(opts.output, result.channels, result.sampleRate, result.format, { inputs: [input, ...(opts.chain ? [opts.chain] : [])] });
  clearProgress();
  if (opts.json) {
    const { channels: _channels, meters: _meters, ...report } = result;
    process.stdout.write(`${JSON.stringify({ file: opts.output, input, ...report }, null, 2)}\n`);
  } else {
    process.stdout.write(formatRender(result, opts.output));
  }
  return 0;
}
