/**
 * One `master()` run in a fresh process for master.ts, timed by phase. argv: MIX REF OUT. Prints one
 * JSON line: the time from process start to the first line of this module (Node start-up and the
 * imports of master and its dependencies), then the time of each progress step master reports,
 * grouped into phases, and the CPU time of the whole process.
 */
// performance.now() counts from process start: first Node's own start-up, then master's imports.
const importedMs = performance.now();
const { master } = await import('../../src/master/master.js');
const loadedMs = performance.now();

const [mix, ref, output] = process.argv.slice(2);

/** Progress messages (master.ts) → phase names; a message not listed keeps the phase it starts with. */
function phaseOf(step: string): string {
  if (step.startsWith('decoding reference')) return 'decode reference';
  if (step.startsWith('decoding')) return 'decode mix';
  if (step.startsWith('analysing reference')) return 'analyse reference';
  if (step.startsWith('analysing the mix')) return 'analyse mix';
  if (step.startsWith('planning')) return 'plan (glue threshold search)';
  if (/rendering .*: limiter$/.test(step)) return 'render: limiter and loudness search';
  if (/rendering .*: output$/.test(step)) return 'render: dither, output meters';
  if (step.startsWith('rendering')) return 'render: stages before the limiter';
  if (step.startsWith('writing')) return 'write WAV';
  if (step.startsWith('checking')) return 'QC';
  if (step.startsWith('measuring the master')) return 'measure master';
  return step;
}

const phases = new Map<string, number>();
let current = 'start-up and imports';
phases.set(current, loadedMs);
let last = loadedMs;
const add = (name: string, ms: number) => phases.set(name, (phases.get(name) ?? 0) + ms);
const cpu0 = process.cpuUsage();
await master({
  mix, references: [ref], deliver: ['streaming'], output,
  strengths: { eq: 1, width: 1, dynamics: 1, loudness: 1 }, maxEqDb: 6, maxGlueDb: 3, limiter: true,
  onProgress: (step) => {
    const name = phaseOf(step);
    if (name === current) return;
    const now = performance.now();
    add(current, now - last);
    current = name;
    last = now;
  },
});
add(current, performance.now() - last);
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ importedMs, phases: Object.fromEntries(phases), totalMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000, masterCpuMs: (cpu.user + cpu.system - cpu0.user - cpu0.system) / 1000 })}\n`);
