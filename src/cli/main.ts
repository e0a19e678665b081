#!/usr/bin/env node
/** The `refmaster` command line. */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { analyzeCommand } from './analyze-command.js';
import { reportError } from './run.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

const program = new Command()
  .name('refmaster')
  .description('AI-assisted, reference-matching audio mastering engine')
  .version(version)
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
    process.exitCode = await analyzeCommand(files, { ...opts, debug: program.opts().debug });
  });

program.addHelpText(
  'after',
  `
Examples:
  refmaster analyze mix.wav            loudness, peaks, spectrum and mix-prep warnings
  refmaster analyze --json *.flac      the same as JSON, for scripts
  refmaster help analyze               options of one command`,
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
