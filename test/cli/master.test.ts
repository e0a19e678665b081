/** `refmaster master` as a user runs it: summary, JSON report, chain file for render, one-line errors. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MIX, expectOneLineError, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'refmaster-cli-master-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('refmaster master', () => {
  it('masters against a reference: summary with units, JSON report and a chain that render accepts', () => {
    const out = join(dir, 'm.wav'), chain = join(dir, 'chain.json'), report = join(dir, 'report.json');
    const r = runCli('master', DEMO_MIX, '-r', DEMO_MIX, '-o', out, '--chain-out', chain, '--report', report, '--target', 'spotify');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/integrated\s+-?\d+\.\d LUFS/);
    expect(r.stdout).toMatch(/What was done:/);
    expect(r.stdout).toMatch(/On playback: Spotify [-+]?\d+\.\d dB/);
    expect(r.stdout).toMatch(/QC passed/);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    expect(Object.keys(rep)).toEqual(['refmaster', 'mix', 'references', 'master', 'loudness', 'matching', 'decisions', 'mixPrep', 'playback', 'deliverables', 'qcPassed', 'warnings', 'notes', 'chain', 'assistant']);
    // with a reference, the default combines the analytic matcher with the model, and says who decided what
    expect(rep.assistant.mode).toBe('combined');
    expect(Object.keys(rep.assistant.moves)).toContain('glueReductionDb');
    expect(rep.decisions.find((d: { stage: string }) => d.stage === 'matchEq').source).toBe('analytic');
    expect(rep.decisions.some((d: { source: string }) => d.source === 'model')).toBe(true);
    expect(r.stdout).toMatch(/\[model\] /);
    expect(r.stdout).toMatch(/\[match\] /);
    expect(rep.loudness).toMatchObject({ targetLufs: -14, ceilingDbtp: -1, source: '--target spotify' });
    expect(rep.master.truePeakDbtp).toBeLessThanOrEqual(-1);
    const again = runCli('render', DEMO_MIX, '--chain', chain, '--set', 'limiter.ceilingDbtp=-2', '-o', join(dir, 'tweak.wav'));
    expect(again.code, again.stderr).toBe(0);
  });

  it('--assistant masters with the model\'s whole proposal towards a target; a missing model falls back to the analytic plan with a warning', () => {
    const out = join(dir, 'a.wav');
    const r = runCli('master', DEMO_MIX, '--assistant', '--target', 'apple', '-o', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.assistant.mode).toBe('model');
    expect(rep.chain.stages.matchEq.bypass).toBe(true);
    expect(rep.loudness.targetLufs).toBe(-16);
    expect(rep.master.truePeakDbtp).toBeLessThanOrEqual(-1);
    const fallback = runCli('master', DEMO_MIX, '--assistant', '--model', join(dir, 'none.onnx'), '-o', join(dir, 'b.wav'), '--json');
    expect(fallback.code, fallback.stderr).toBe(0);
    const fb = JSON.parse(fallback.stdout);
    expect(fb.assistant.mode).toBe('off');
    expect(fb.warnings.join(' ')).toMatch(/assistant not used: .*none\.onnx: cannot read the model \(ENOENT\); the analytic plan was used instead/);
  });

  it('has help with examples', () => {
    const r = runCli('master', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/--deliver/);
  });

  it('bad options give one-line errors and write nothing', () => {
    const before = readdirSync(dir).length;
    expectOneLineError(runCli('master', DEMO_MIX, '--target', 'vinyl', '-o', join(dir, 'x.wav')), /unknown target "vinyl"/);
    expectOneLineError(runCli('master', DEMO_MIX, '--isrc', 'XX-1', '-o', join(dir, 'x.wav')), /invalid ISRC/);
    expectOneLineError(runCli('master', DEMO_MIX, '--match', 'eq=150', '-o', join(dir, 'x.wav')), /--match eq must be a number from 0 to 100 %/);
    expectOneLineError(runCli('master', DEMO_MIX, '--deliver', 'vinyl', '-o', join(dir, 'x.wav')), /unknown deliverable "vinyl"/);
    expectOneLineError(runCli('master', DEMO_MIX, '-o', DEMO_MIX), /refusing to overwrite/);
    expect(readdirSync(dir).length).toBe(before);
    expect(existsSync(join(dir, 'x.wav'))).toBe(false);
  });
});
