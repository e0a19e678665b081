/** One line per stage saying, with units, what its parameters ask for: the render report explains the chain. */
import type { Chain, StageName } from './spec.js';

const db = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)} dB`;

export function describeStage(stage: StageName, chain: Chain): string {
  const s = chain.stages;
  switch (stage) {
    case 'input':
      return `gain ${db(s.input.gainDb)}`;
    case 'eq': {
      const hp = s.eq.highpassSlopeDbPerOct > 0 ? `high-pass ${s.eq.highpassHz} Hz, ${s.eq.highpassSlopeDbPerOct} dB/oct` : 'no high-pass';
      const bands = s.eq.bands.filter((b) => b.gainDb !== 0).map((b) => `${b.type} ${b.frequencyHz} Hz ${db(b.gainDb)} Q ${b.q} (${b.channel})`);
      return [hp, ...bands].join(', ');
    }
    case 'matchEq': {
      const peak = (g: number[]) => (g.length ? Math.max(...g.map(Math.abs)) : 0);
      return `${s.matchEq.phase}-phase FIR, ${s.matchEq.frequenciesHz.length} points, largest correction mid ${peak(s.matchEq.midGainsDb).toFixed(1)} dB, side ${peak(s.matchEq.sideGainsDb).toFixed(1)} dB`;
    }
    case 'compressor': {
      const c = s.compressor;
      return `threshold ${c.thresholdDb} dBFS, ratio ${c.ratio}:1, attack ${c.attackMs} ms, release ${c.autoRelease ? 'auto ≤ ' : ''}${c.releaseMs} ms, knee ${c.kneeDb} dB, make-up ${db(c.makeupDb)}, mix ${c.mixPercent} %`;
    }
    case 'multiband':
      return `${s.multiband.bands.length} bands split at ${s.multiband.crossoversHz.join(', ')} Hz, ratios ${s.multiband.bands.map((b) => b.ratio).join('/')}`;
    case 'imager':
      return `${s.imager.monoBelowHz > 0 ? `mono below ${s.imager.monoBelowHz} Hz, ` : ''}side width ${s.imager.widthPercent.join('/')} % split at ${s.imager.crossoversHz.join(', ')} Hz`;
    case 'saturation':
      return `${s.saturation.type}, drive ${db(s.saturation.driveDb)}, mix ${s.saturation.mixPercent} %, 4x oversampled`;
    case 'character':
      return `air shelf ${s.character.airFrequencyHz} Hz ${db(s.character.airGainDb)}`;
    case 'limiter': {
      const l = s.limiter;
      const drive = l.targetLufs !== null ? `target ${l.targetLufs} LUFS (at most ${l.maxGainReductionDb} dB peak reduction)` : `gain ${db(l.gainDb)}`;
      return `ceiling ${l.ceilingDbtp} dBTP, ${drive}, look-ahead ${l.lookaheadMs} ms, release ${l.releaseMs} ms`;
    }
    case 'output':
      return `${s.output.format}${s.output.format !== 'float32' ? `, dither ${s.output.dither}${s.output.noiseShaping === 'shaped' ? ' (noise-shaped)' : ''}` : ''}${s.output.sampleRateHz ? `, ${s.output.sampleRateHz} Hz` : ', source rate'}`;
  }
}
