#!/usr/bin/env node
/**
 * The `refmaster` command line. Each command's module is imported when the command runs, so a run
 * loads only what it uses (the decoders, zod and the resampler each take 50–150 ms to load).
 */
import { Command, CommanderError } from 'commander';
import type { MasterCommandOptions } from './master-command.js';
import type { SuggestCommandOptions } from './suggest-command.js';
import { reportError } from './run.js';
import { TARGETS } from '../master/targets.js';
import { VERSION } from '../util/version.js';


// A reader that stops early (`refmaster chain --schema | head`) is not an error: end quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command()
  .name('refmaster')
  .description('AI-assisted, reference-matching audio mastering engine')
  .version(VERSION)
  .option('--debug', 'print stack traces for errors')
  .showHelpAfterError()
  .exitOverride();

program
  .command('analyze')
  .description('measure loudness (BS.1770-4 / EBU R128), peaks, dynamics, spectrum, stereo image and mix-prep problems')
  .argument('<files...>', 'audio files: WAV, AIFF/AIFF-C, FLAC, MP3, Ogg Vorbis')
  .option('--json', 'print a JSON array with one object per file instead of tables')
  .addHelpText(
    'after',
    `
Examples:
  refmaster analyze mix.wav
  refmaster analyze mix.wav reference.flac
  refmaster analyze --json mix.wav | jq '.[0].loudness.integratedLufs'`,
  )
  .action(async (files: string[], opts: { json?: boolean }) => {
    const { analyzeCommand } = await import('./analyze-command.js');
    process.exitCode = await analyzeCommand(files, { ...opts, debug: program.opts().debug });
  });

const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('render')
  .description('render a mastering chain over a file, with command-line overrides')
  .argument('<input>', 'the mix (any format analyze reads)')
  .requiredOption('-o, --output <file>', 'output WAV (written to a temp file, then renamed)')
  .option('--chain <file>', 'chain document (JSON); default: the default chain (`refmaster chain`)')
  .option('--set <stage.param=value>', 'override one parameter (repeatable), e.g. limiter.ceilingDbtp=-1', collect)
  .option('--json', 'print the render report as JSON')
  .option('--cache <dir>', 'keep the pre-limiter render in DIR, so re-renders that change only the limiter or output start there')
  .addHelpText(
    'after',
    `
Parameters are named stage.param with the unit in the name: input.gainDb, eq.highpassHz,
compressor.ratio, limiter.ceilingDbtp, limiter.targetLufs, output.format, … (\`refmaster chain --params\`).

Examples:
  refmaster render mix.wav --chain chain.json -o master.wav
  refmaster render mix.wav --set limiter.targetLufs=-14 --set limiter.ceilingDbtp=-1 -o master.wav
  refmaster render mix.wav --chain chain.json --set compressor.ratio=1.5 --set output.format=pcm16 --set output.sampleRateHz=44100 -o cd.wav
  refmaster render mix.wav --chain chain.json --cache .refmaster-cache --set limiter.ceilingDbtp=-2 -o master.wav`,
  )
  .action(async (input: string, opts: { output: string; chain?: string; set?: string[]; json?: boolean; cache?: string }) => {
    const { renderCommand } = await import('./render-command.js');
    process.exitCode = await renderCommand(input, opts);
  });

program
  .command('master')
  .description('master a mix: match references or a platform target, render the deliverables, measure them and report')
  .argument('<mix>', 'the finished stereo mix (any format analyze reads)')
  .requiredOption('-o, --output <file>', 'the master WAV (further deliverables get a suffix, e.g. master-cd.wav)')
  .option('-r, --reference <file>', 'a mastered reference track to match (repeatable; lossy and any sample rate are fine)', collect)
  .option('--weights <w1,w2,...>', 'one weight per reference (default equal)')
  .option('--target <name>', `delivery target: ${Object.keys(TARGETS).join(', ')} (default: the references' loudness, else spotify)`)
  .option('--loudness <LUFS>', 'integrated loudness to reach, within 0.2 LU even if that takes more limiting')
  .option('--ceiling <dBTP>', 'true-peak ceiling (default: the target\'s, else -1)')
  .option('--deliver <list>', 'deliverables: streaming (24-bit, the mix\'s rate), cd (16-bit 44.1 kHz, dithered); default streaming, or cd with --target cd')
  .option('--match <components>', 'strength per component in %, e.g. eq=50,width=70 (eq, width, dynamics, loudness; default 100 each)')
  .option('--max-eq <dB>', 'largest matching-EQ correction', '6')
  .option('--max-glue <dB>', 'largest glue-compression gain reduction on the loud passages', '3')
  .option('--no-limiter', 'stop before the limiter: 32-bit float at the pre-limiter level, for finishing elsewhere')
  .option('--title <text>', 'title embedded in every deliverable (RIFF INFO and ID3)')
  .option('--artist <text>', 'artist embedded in every deliverable')
  .option('--isrc <code>', 'ISRC embedded in every deliverable, CC-XXX-YY-NNNNN (hyphens optional)')
  .option('--assistant', 'use the trained model\'s proposal for the whole chain (the one-click path; without references it aims at the target with the style profile of released music)')
  .option('--analytic', 'analytic matching only, no model (default with references: analytic tone and width, the model\'s glue and saturation)')
  .option('--model <file>', 'the ONNX model (default: models/assistant.onnx)')
  .option('--chain-out <file>', 'write the chain used, for `refmaster render --chain` (the tweak loop)')
  .option('--report <file>', 'write the report as JSON')
  .option('--json', 'print the report as JSON instead of the summary')
  .option('--strict', 'exit with status 3 when a deliverable fails QC (loudness off by > 0.5 LU or a true peak over the ceiling)')
  .addHelpText(
    'after',
    `
Examples:
  refmaster master mix.wav -o master.wav                                   gentle chain to Spotify's -14 LUFS / -1 dBTP
  refmaster master mix.wav -r ref.flac -o master.wav --chain-out chain.json match a reference
  refmaster master mix.wav -r a.mp3 -r b.flac --weights 2,1 --match eq=50,width=70 -o master.wav
  refmaster master mix.wav --target apple --deliver streaming,cd -o master.wav --report report.json
  refmaster master mix.wav --assistant --target spotify -o master.wav      one click: the model's proposal
  refmaster render mix.wav --chain chain.json --set limiter.ceilingDbtp=-2 -o master2.wav   tweak afterwards`,
  )
  .action(async (mix: string, opts: MasterCommandOptions) => {
    const { masterCommand } = await import('./master-command.js');
    process.exitCode = await masterCommand(mix, opts);
  });

program
  .command('suggest')
  .description('ask the trained assistant for a mastering chain, with one reason per move')
  .argument('<mix>', 'the finished stereo mix (any format analyze reads)')
  .option('-r, --reference <file>', 'a mastered reference to move towards (repeatable)', collect)
  .option('--target <name>', `without references: delivery target, ${Object.keys(TARGETS).join(', ')} (default spotify), with the style profile of released music`)
  .option('--loudness <LUFS>', 'integrated loudness for the limiter (default: the references\' or the target\'s)')
  .option('--ceiling <dBTP>', 'true-peak ceiling (default: the target\'s, -1 for spotify)')
  .option('--model <file>', 'the ONNX model (default: models/assistant.onnx)')
  .option('-o, --output <file>', 'write the proposed chain, for `refmaster render --chain`')
  .option('--json', 'print the proposal, its reasons and the chain as JSON')
  .addHelpText(
    'after',
    `
Examples:
  refmaster suggest mix.wav                                 one-click proposal for Spotify (-14 LUFS, -1 dBTP)
  refmaster suggest mix.wav -r ref.flac -o chain.json       move towards a reference, write the chain
  refmaster render mix.wav --chain chain.json --set compressor.ratio=1.3 -o master.wav   then tweak and render`,
  )
  .action(async (mix: string, opts: SuggestCommandOptions) => {
    const { suggestCommand } = await import('./suggest-command.js');
    process.exitCode = await suggestCommand(mix, opts);
  });

program
  .command('compare')
  .description('compare two files at matched loudness: loudness, peaks, dynamics, stereo and spectrum differences')
  .argument('<a>', 'first file (e.g. the mix)')
  .argument('<b>', 'second file (e.g. the master)')
  .option('--json', 'print the comparison as JSON')
  .option('--previews <dir>', 'write both files at the same integrated loudness into DIR, to listen without the level bias')
  .addHelpText(
    'after',
    `
Examples:
  refmaster compare mix.wav master.wav
  refmaster compare mix.wav master.wav --previews previews/`,
  )
  .action(async (a: string, b: string, opts: { json?: boolean; previews?: string }) => {
    const { compareCommand } = await import('./compare-command.js');
    process.exitCode = await compareCommand(a, b, { ...opts, debug: program.opts().debug });
  });

program
  .command('chain')
  .description('print the default chain document, its JSON Schema or the parameter names')
  .option('--schema', 'print the JSON Schema of chain documents')
  .option('--params', 'list every stage.param name')
  .addHelpText(
    'after',
    `
Examples:
  refmaster chain > chain.json         start a chain from the defaults, then edit it
  refmaster chain --schema > chain.schema.json`,
  )
  .action(async (opts: { schema?: boolean; params?: boolean }) => {
    const { chainJsonSchema, defaultChain } = await import('../chain/load.js');
    const { parameterNames } = await import('../chain/overrides.js');
    const out = opts.params ? parameterNames().join('\n') : JSON.stringify(opts.schema ? chainJsonSchema() : defaultChain(), null, 2);
    process.stdout.write(`${out}\n`);
  });

program.addHelpText(
  'after',
  `
Examples:
  refmaster analyze mix.wav                                 loudness, peaks, spectrum and mix-prep warnings
  refmaster analyze --json *.flac                           the same as JSON, for scripts
  refmaster render mix.wav --set limiter.targetLufs=-14 -o master.wav
  refmaster compare mix.wav master.wav --previews previews/ hear the difference at equal loudness
  refmaster help render                                     options of one command`,
);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed its message (or the help/version text) already.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.exitCode = reportError(err, program.opts().debug ?? false);
  }
}
