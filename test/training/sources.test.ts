// The songs reserved for the independent evaluation (issue 5) must never be part of the training
// sources. The list below is the issue's, kept here independently of training/sources/prepare.sh:
// the script's list must be exactly this one, and when the manifest has been built
// (npm run prepare:data), none of its entries may be one of these songs (nor any stem of an
// excluded Frets on Fire song folder).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const SCRIPT = join(REPO, 'training', 'sources', 'prepare.sh');
const MANIFEST = join(REPO, 'training', 'cache', 'sources', 'manifest.json');

const ISSUE_EXCLUDED: Record<string, string[]> = {
  'lmms-common': [
    'lmms/projects/demos/Socceroos-Progress.mmpz',
    'lmms/projects/demos/StrictProduction-DearJonDoe.mmp',
    'lmms/projects/demos/Impulslogik-Zen.mmpz',
    'lmms/projects/demos/CapDan/CapDan-ZeroSumGame-OriginalByZakarra.mmpz',
    'lmms/projects/demos/Oglsdl-Dr8v2.mmpz',
    'lmms/projects/demos/TameAnderson-MakeMe.mmpz',
    'lmms/projects/demos/Saber-FinalStep.mmpz',
  ],
  'musescore3-common': ['mscore3-3.2/demos/Fugue_1.mscx', 'mscore3-3.2/demos/Brassed_Up.mscx'],
  'openttd-openmsx': [
    'games/openttd/baseset/openmsx/chuggachugga.mid',
    'games/openttd/baseset/openmsx/the_hobo_redfarn.mid',
  ],
  'fretsonfire-songs-sectoid': ['games/fretsonfire/data/songs/sectoid/Feelings'],
  'wesnoth-1.16-music': [
    'games/wesnoth/1.16/data/core/music/vengeful.ogg',
    'games/wesnoth/1.16/data/core/music/into_the_shadows.ogg',
  ],
  'nexuiz-music': [
    'games/nexuiz/data/music.pk3!sound/cdtracks/brainsukker.ogg',
    'games/nexuiz/data/music.pk3!sound/cdtracks/brokenlight.ogg',
  ],
  'fretsonfire-songs-muldjord': ['games/fretsonfire/data/songs/muldjord/mutilated_mime/song.ogg'],
  'ufoai-music': [
    'games/ufoai/base/0music.pk3!music/dbsea.ogg',
    'games/ufoai/base/0music.pk3!music/PsymongR4.ogg',
    'games/ufoai/base/0music.pk3!music/Crystan-LooseGame.ogg',
  ],
  'singularity-music': ['games/singularity/music/Enemy Unknown.ogg'],
  'warzone2100-music': ['games/warzone2100/music/albums/aftermath_soundtrack/track17.opus'],
  'hyperrogue-music': ['hyperrogue/music/hr3-rlyeh.ogg'],
  'asc-music': ['games/asc/music/machine_wars.mp3'],
};

const FOF = 'games/fretsonfire/data/songs/';

/** Canonical form of a path inside a package: relative to /usr/share, '/'-separated, no '.', '..'
 * or doubled '/', `archive!member` for zip members (also written "archive (zip member M)"), lower case. */
function norm(p: string): string {
  let s = p.normalize('NFC').trim().replace(/\\/g, '/');
  const zm = /^(.*?)\s*\(zip member\s+(.+)\)\s*$/i.exec(s);
  if (zm) s = `${zm[1]}!${zm[2]}`;
  const clean = (x: string): string => {
    const out: string[] = [];
    for (const seg of x.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') out.pop();
      else out.push(seg);
    }
    return out.join('/');
  };
  return s
    .split('!')
    .map(clean)
    .join('!')
    .replace(/^usr\/share\//i, '')
    .toLowerCase();
}

/** The song a path belongs to: a Frets on Fire song is its folder (every stem in it). */
function song(p: string): string {
  const n = norm(p);
  if (n.startsWith(FOF)) {
    const parts = n.slice(FOF.length).split('/');
    if (parts.length >= 2) return FOF + parts.slice(0, 2).join('/');
  }
  return n;
}

const EXCLUDED_SONGS = Object.values(ISSUE_EXCLUDED).flat().map(song);

function isExcluded(path: string): boolean {
  const n = norm(path);
  const s = song(path);
  return EXCLUDED_SONGS.some((e) => n === e || s === e || n.startsWith(`${e}/`) || n.startsWith(`${e}!`));
}

function scriptList(): { package: string; path: string }[] {
  const text = readFileSync(SCRIPT, 'utf8');
  const a = text.indexOf('# BEGIN EXCLUDED');
  const b = text.indexOf('# END EXCLUDED');
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThan(a);
  const out: { package: string; path: string }[] = [];
  for (const line of text.slice(a, b).split('\n')) {
    const m = /^([a-z0-9][a-z0-9.+-]*)\|(.+)$/.exec(line.trim());
    if (m) out.push({ package: m[1], path: m[2] });
  }
  return out;
}

describe('training sources: songs reserved for the independent evaluation', () => {
  it('the prepare script carries exactly the issue 5 exclusion list', () => {
    const fromScript = scriptList()
      .map((e) => `${e.package}|${e.path}`)
      .sort();
    const fromIssue = Object.entries(ISSUE_EXCLUDED)
      .flatMap(([pkg, paths]) => paths.map((p) => `${pkg}|${p}`))
      .sort();
    expect(fromScript).toEqual(fromIssue);
    expect(fromScript).toHaveLength(24);
  });

  it('the matcher normalises paths and covers whole Frets on Fire song folders', () => {
    expect(isExcluded('/usr/share/games/fretsonfire/data/songs/sectoid/Feelings/guitar.ogg')).toBe(true);
    expect(isExcluded('games/fretsonfire/data/songs/muldjord/mutilated_mime/notes.mid')).toBe(true);
    expect(isExcluded('usr/share/games/nexuiz/data/music.pk3 (zip member sound/cdtracks/brainsukker.ogg)')).toBe(true);
    expect(isExcluded('usr/share//hyperrogue/./music/HR3-rlyeh.ogg')).toBe(true);
    expect(isExcluded('games/fretsonfire/data/songs/muldjord/chaos_god/song.ogg')).toBe(false);
    expect(isExcluded('games/warzone2100/music/albums/aftermath_soundtrack/track18.opus')).toBe(false);
  });

  it.runIf(existsSync(MANIFEST))('no excluded song is in the built manifest', () => {
    const entries = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
      id: string;
      file: string;
      package: string;
      originalPath: string;
      kind: string;
      split: string;
      durationS: number;
    }[];
    expect(entries.length).toBeGreaterThan(0);
    const bad = entries.filter((e) => isExcluded(e.originalPath));
    expect(bad.map((e) => e.originalPath)).toEqual([]);
    // Nor, by name, in the generated files.
    const names = new Set(
      EXCLUDED_SONGS.map((e) =>
        e
          .split(/[/!]/)
          .pop()!
          .replace(/\.[a-z0-9]+$/, ''),
      ),
    );
    for (const e of entries) {
      expect(['mix', 'mastered']).toContain(e.kind);
      expect(['train', 'val', 'test']).toContain(e.split);
      expect(e.durationS).toBeLessThanOrEqual(60.01);
      const stem = e.originalPath.toLowerCase().split(/[/!]/);
      expect(stem.some((seg) => names.has(seg.replace(/\.[a-z0-9]+$/, '')))).toBe(false);
    }
  });
});
