/**
 * The reference side of the model when there is no reference track (the one-click assistant): a
 * style profile learned from real released music (references/style-profile.json, the median of the
 * analyzer's features over released tracks, made by training/style-profile.ts), moved to the
 * delivery target's loudness and ceiling. Balances are relative to loudness, so only the level
 * figures move.
 */
import { readFileSync } from 'node:fs';
import { FEATURE_VERSION, FEATURES } from '../analysis/features.js';
import { UserError } from '../util/errors.js';
import { shippedFile } from '../util/paths.js';

export interface StyleProfile {
  name: string;
  description: string;
  featureVersion: number;
  tracks: number;
  names: string[];
  /** Median of each feature over the tracks. */
  values: number[];
}

export const STYLE_PROFILE_PATH = shippedFile('references/style-profile.json');

export function loadStyleProfile(path = STYLE_PROFILE_PATH): StyleProfile {
  let profile: StyleProfile;
  try {
    profile = JSON.parse(readFileSync(path, 'utf8')) as StyleProfile;
  } catch (e) {
    throw new UserError(`${path}: cannot read the style profile (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const names = FEATURES.map((f) => f.name);
  if (profile.featureVersion !== FEATURE_VERSION || profile.names?.join() !== names.join() || profile.values?.length !== names.length) {
    throw new UserError(`${path}: style profile made for feature version ${profile.featureVersion}, this analyzer has ${FEATURE_VERSION}`);
  }
  return profile;
}

/** Level features that follow the loudness target (LUFS figures) and those set by the ceiling. */
const LOUDNESS_FEATURES = ['loudness.integratedLufs', 'loudness.momentaryMaxLufs', 'loudness.shortTermMaxLufs', 'dynamics.shortTermP10Lufs', 'dynamics.shortTermP50Lufs', 'dynamics.shortTermP95Lufs'];
const PEAK_FEATURES = ['peak.samplePeakDbfs', 'peak.truePeakDbtp'];

/** The profile's features as a reference at `targetLufs`, peaks no higher than `ceilingDbtp`. */
export function profileAsReference(profile: StyleProfile, targetLufs: number, ceilingDbtp: number): number[] {
  const at = (name: string) => profile.names.indexOf(name);
  const v = profile.values.slice();
  const shift = targetLufs - v[at('loudness.integratedLufs')];
  for (const n of LOUDNESS_FEATURES) v[at(n)] += shift;
  for (const n of PEAK_FEATURES) v[at(n)] = Math.min(ceilingDbtp, v[at(n)] + shift);
  v[at('dynamics.plrDb')] = v[at('peak.truePeakDbtp')] - targetLufs;
  v[at('source.lossy')] = 0;
  return v;
}
