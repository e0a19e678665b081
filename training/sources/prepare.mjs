// Source songs for training the parameter model: the worker behind prepare.sh (see training/DATA.md).
//
//   node prepare.mjs --repo DIR --cache DIR [--apt-seconds N]   gather, render, decode, write manifest
//   node prepare.mjs --repo DIR --cache DIR --verify             check the manifest against the exclusion list
//
// The exclusion list is read from prepare.sh (block between "# BEGIN EXCLUDED" and "# END EXCLUDED");
// an excluded song is refused before its file is opened, extracted or rendered.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync, renameSync,
} from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

// ------------------------------------------------------------------------------------------------
// Settings (fixed: changing them changes the data set; bump SPLIT_SALT only to re-split on purpose)
const MAX_EXCERPT_S = 60;
const MIN_MUSIC_S = 20;
const SILENCE_DB = -60; // silencedetect threshold for leading/trailing silence
const SILENT_PEAK_DB = -50; // an excerpt whose sample peak is below this is "silent"
const GAIN_IF_ABOVE_DB = -1; // mixes only: fixed static gain when the excerpt's peak is above...
const GAIN_IF_BELOW_DB = -12; // ...or below these, bringing the sample peak to GAIN_TARGET_DB
const GAIN_TARGET_DB = -3;
// The salt was chosen once (v1…v60 tried) as the one whose split of this set came closest to
// 70/15/15 within both kinds; it is fixed from then on, so a song keeps its split.
const SPLIT_SALT = 'refmaster-sources-v46';
const RENDER_TIMEOUT_S = 900;
// Released (mastered) soundtracks are plentiful and quick to decode; the cap per package keeps the
// set balanced between mixes and masters and the cache well under 3 GB. Songs are taken in the order
// of a hash of their key (deterministic, independent of file order); one that is skipped (too
// short, silent) is replaced by the next.
const MASTERED_CAP = {
  'wesnoth-1.16-music': 12,
  'ufoai-music': 12,
  'warzone2100-music': 10,
  'nexuiz-music': 8,
  'hyperrogue-music': 8,
  'singularity-music': 8,
  'fretsonfire-songs-sectoid': 3,
  'fretsonfire-songs-muldjord': 3,
  'asc-music': 2,
};
// Licences of packages whose copyright file is not machine-readable (read by hand from
// /usr/share/doc/PACKAGE/copyright; see training/DATA.md).
const LICENSE_FALLBACK = {
  'wesnoth-1.16-music': 'GPL-2+',
  'nexuiz-music': 'GPL-2+',
  'singularity-music': 'CC-BY-SA-3.0',
  'fretsonfire-songs-sectoid': 'Expat',
  'fretsonfire-songs-muldjord': 'CC-BY-SA-3.0',
};
// Where the package ships a more specific licence file next to the music than its Debian copyright
// file says (that one gives only "Files: *").
const LICENSE_OVERRIDE = [
  {
    package: 'warzone2100-music',
    re: /^games\/warzone2100\/music\/albums\/(aftermath|legacy)_soundtrack\/(?!track3_enhanced)/,
    license: 'CC-BY-SA-3.0+ or GPL-2+',
    copyright: '2019-2022 LupusMechanicus (album license.txt)',
  },
];
const FAMILY = {
  'lmms-common': 'lmms',
  'musescore3-common': 'musescore',
  'musescore-common': 'musescore',
  'wesnoth-1.16-music': 'wesnoth',
  'openttd-openmsx': 'openmsx',
  'planetblupi-music-midi': 'planetblupi',
  'nexuiz-music': 'nexuiz',
  'ufoai-music': 'ufoai',
  'singularity-music': 'singularity',
  'warzone2100-music': 'warzone2100',
  'hyperrogue-music': 'hyperrogue',
  'asc-music': 'asc',
  'fretsonfire-songs-sectoid': 'fof-sectoid',
  'fretsonfire-songs-muldjord': 'fof-muldjord',
};

// ------------------------------------------------------------------------------------------------
// Paths, song keys, exclusion

/** A path inside a package, in one canonical form: relative to /usr/share, '/'-separated, no '.'/'..',
 * zip members as `archive.pk3!member`, NFC, lower case. */
export function normalizePath(p) {
  let s = String(p).normalize('NFC').trim().replace(/\\/g, '/');
  const zm = /^(.*?)\s*\(zip member\s+(.+)\)\s*$/i.exec(s);
  if (zm) s = `${zm[1]}!${zm[2]}`;
  const [outer, ...inner] = s.split('!');
  const clean = (x) => {
    const out = [];
    for (const seg of x.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') out.pop();
      else out.push(seg);
    }
    return out.join('/');
  };
  let o = clean(outer);
  o = o.replace(/^usr\/share\//i, '');
  const rest = inner.map(clean);
  return [o, ...rest].join('!').toLowerCase();
}

const FOF_SONGS = 'games/fretsonfire/data/songs/';

/** The song a path belongs to: fretsonfire song folders are one song (all stems). */
function songPathOf(n) {
  if (n.startsWith(FOF_SONGS)) {
    const parts = n.slice(FOF_SONGS.length).split('/');
    if (parts.length >= 2) return FOF_SONGS + parts.slice(0, 2).join('/');
  }
  return n;
}

/** Title of a song (versions of one song share it: `_enhanced`, `-old`, `_revisited`). */
export function songTitle(path) {
  const n = songPathOf(normalizePath(path));
  let b = n.split('!').pop().split('/').pop();
  if (!n.startsWith(FOF_SONGS)) b = b.replace(/\.[a-z0-9]+$/, '');
  b = b.replace(/(_enhanced|-old|_revisited)$/, '').replace(/[_\-\s]+$/, '');
  return b;
}

export function songKey(pkg, path) {
  return `${FAMILY[pkg] ?? pkg}:${songTitle(path)}`;
}

export function readExclusions(scriptPath = join(HERE, 'prepare.sh')) {
  const text = readFileSync(scriptPath, 'utf8');
  const a = text.indexOf('# BEGIN EXCLUDED');
  const b = text.indexOf('# END EXCLUDED');
  if (a < 0 || b < a) throw new Error(`no exclusion block in ${scriptPath}`);
  const list = [];
  for (const line of text.slice(a, b).split('\n')) {
    const m = /^([a-z0-9][a-z0-9.+-]*)\|(.+)$/.exec(line.trim());
    if (m) list.push({ package: m[1], path: m[2] });
  }
  if (list.length === 0) throw new Error('the exclusion list is empty: refusing to run');
  return list;
}

export function makeExcluder(list) {
  const paths = list.map((e) => songPathOf(normalizePath(e.path)));
  const titles = new Set(list.map((e) => songTitle(e.path)));
  return (pkg, path) => {
    const n = normalizePath(path);
    const s = songPathOf(n);
    for (const e of paths) {
      if (n === e || s === e || n.startsWith(`${e}/`) || n.startsWith(`${e}!`) || s.startsWith(`${e}/`)) return true;
    }
    // Another version or copy of an excluded song (same title, any package) is excluded too.
    return titles.has(songTitle(path));
  };
}

function splitOf(key) {
  const h = createHash('sha256').update(`${SPLIT_SALT}:${key}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  return u < 0.7 ? 'train' : u < 0.85 ? 'val' : 'test';
}

function hashOrder(key) {
  return createHash('sha256').update(`order:${key}`).digest('hex');
}

function slug(s) {
  return s.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

// ------------------------------------------------------------------------------------------------
// Small process and file helpers

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: (opts.timeoutS ?? RENDER_TIMEOUT_S) * 1000,
    env: { ...process.env, ...(opts.env ?? {}) },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

// Renderers run without CAP_SYS_NICE and with RLIMIT_RTPRIO 0: as root, LMMS otherwise switches its
// main thread to SCHED_FIFO, which would starve everything else on a shared machine.
const HAVE_SETPRIV = spawnSync('setpriv', ['--version']).status === 0;
function render(cmd, args, opts) {
  if (!HAVE_SETPRIV) return run('prlimit', ['--rtprio=0:0', '--', cmd, ...args], opts);
  return run('setpriv', ['--bounding-set=-sys_nice', '--inh-caps=-sys_nice', '--', 'prlimit', '--rtprio=0:0', '--', cmd, ...args], opts);
}

function dpkgVersion(pkg) {
  const r = run('dpkg-query', ['-W', '-f=${Status}|${Version}', pkg]);
  if (r.code !== 0) return null;
  const [status, version] = r.stdout.split('|');
  return /install ok installed/.test(status) ? version : null;
}

function dpkgFiles(pkg) {
  const r = run('dpkg', ['-L', pkg]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').filter((f) => f.startsWith('/usr/share/') && existsSync(f) && statSync(f).isFile());
}

function zipMembers(archive) {
  const r = run('unzip', ['-Z1', archive]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').filter((m) => m && !m.endsWith('/'));
}

function writeJson(file, obj) {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(obj, null, 2)}\n`);
  renameSync(tmp, file);
}

// ------------------------------------------------------------------------------------------------
// Licences from the Debian copyright files (machine-readable DEP-5 where the package has one)

const dep5Cache = new Map();
function dep5(pkg) {
  if (dep5Cache.has(pkg)) return dep5Cache.get(pkg);
  let paras = null;
  const file = `/usr/share/doc/${pkg}/copyright`;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (/^Format:/m.test(text)) {
      paras = [];
      for (const block of text.split(/\n[ \t]*\n/)) {
        const fields = {};
        let cur = null;
        for (const line of block.split('\n')) {
          const m = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/.exec(line);
          if (m) { cur = m[1].toLowerCase(); fields[cur] = m[2]; } else if (cur && /^\s/.test(line)) fields[cur] += `\n${line.trim()}`;
        }
        if (fields.files && fields.license) {
          paras.push({
            patterns: fields.files.split(/\s+/).filter(Boolean),
            license: fields.license.split('\n')[0].trim(),
            copyright: (fields.copyright ?? '').split('\n').map((x) => x.trim()).filter(Boolean).join('; '),
          });
        }
      }
    }
  }
  dep5Cache.set(pkg, paras);
  return paras;
}

function globRe(glob) {
  return new RegExp(`^${glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
}

/** A pattern (relative to the source tree) matches an installed path when its last k ≥ 2 segments
 * (or its only segment, `*`) match the path's last k segments. */
function patternMatches(pattern, installedPath) {
  const p = pattern.split('/');
  const f = installedPath.split('/');
  if (p.length === 1) return p[0] === '*' || globRe(p[0]).test(f[f.length - 1]);
  for (let k = p.length; k >= 2; k--) {
    if (k > f.length) continue;
    const pp = p.slice(p.length - k).join('/');
    const ff = f.slice(f.length - k).join('/');
    if (globRe(pp).test(ff)) return true;
  }
  return false;
}

export function licenseOf(pkg, originalPath) {
  return licenseInfo(pkg, originalPath).license;
}

/** Licence and copyright line of the last DEP-5 paragraph matching the file (the fallback otherwise). */
export function licenseInfo(pkg, originalPath) {
  const o = LICENSE_OVERRIDE.find((x) => x.package === pkg && x.re.test(originalPath));
  if (o) return { license: o.license, copyright: o.copyright };
  const paras = dep5(pkg);
  // A zip member is looked up as if it lay in the archive's folder (that is how upstream ships it).
  const [outer, member] = originalPath.split('!');
  const lookup = member ? posix.join(posix.dirname(outer), member) : outer;
  let found = null;
  if (paras) {
    for (const para of paras) {
      if (para.patterns.some((pt) => pt.startsWith('debian/'))) continue;
      if (para.patterns.some((pt) => patternMatches(pt, lookup))) found = para;
    }
  }
  if (found) return { license: found.license, copyright: found.copyright.slice(0, 300) };
  return { license: LICENSE_FALLBACK[pkg] ?? `see /usr/share/doc/${pkg}/copyright`, copyright: null };
}

// ------------------------------------------------------------------------------------------------
// Candidates

function lossyCandidates(pkg, filter) {
  const out = [];
  for (const f of dpkgFiles(pkg)) {
    const rel = f.slice('/usr/share/'.length);
    if (/\.pk3$/i.test(rel)) {
      for (const m of zipMembers(f)) {
        const p = `${rel}!${m}`;
        if (filter(p)) out.push({ package: pkg, originalPath: p, method: 'decode', archive: f, member: m });
      }
    } else if (filter(rel)) out.push({ package: pkg, originalPath: rel, method: 'decode', input: f });
  }
  return out;
}

function gatherCandidates() {
  const c = [];
  const rx = (re) => (p) => re.test(p);
  // Released soundtracks (mastered): decode.
  c.push(...lossyCandidates('wesnoth-1.16-music', rx(/^games\/wesnoth\/1\.16\/data\/core\/music\/[^/]+\.ogg$/)));
  c.push(...lossyCandidates('nexuiz-music', rx(/^games\/nexuiz\/data\/music\.pk3!sound\/cdtracks\/[^/]+\.ogg$/)));
  c.push(...lossyCandidates('ufoai-music', (p) => /^games\/ufoai\/base\/0music\.pk3!music\/[^/]+\.ogg$/.test(p) && !/dynamictest/i.test(p)));
  c.push(...lossyCandidates('singularity-music', rx(/^games\/singularity\/music\/.+\.ogg$/)));
  c.push(...lossyCandidates('warzone2100-music', rx(/^games\/warzone2100\/music\/.+\.opus$/)));
  c.push(...lossyCandidates('hyperrogue-music', rx(/^hyperrogue\/music\/[^/]+\.ogg$/)));
  c.push(...lossyCandidates('asc-music', rx(/^games\/asc\/music\/[^/]+\.mp3$/)));
  // Frets on Fire: one song per folder; song.ogg is the band without the lead guitar (guitar.ogg is
  // the player's part), used as it is, as in the shared corpus (summing the stems would clip).
  for (const pkg of ['fretsonfire-songs-sectoid', 'fretsonfire-songs-muldjord']) {
    c.push(...lossyCandidates(pkg, rx(/^games\/fretsonfire\/data\/songs\/[^/]+\/[^/]+\/song\.ogg$/)));
  }
  for (const x of c) x.kind = 'mastered';
  // General MIDI songs: fluidsynth + FluidR3_GM.
  for (const pkg of ['openttd-openmsx', 'planetblupi-music-midi']) {
    for (const f of dpkgFiles(pkg)) {
      if (/\.midi?$/i.test(f)) c.push({ package: pkg, originalPath: f.slice(11), method: 'fluidsynth', input: f, kind: 'mix' });
    }
  }
  // MuseScore demo scores (not the templates).
  for (const f of dpkgFiles('musescore3-common')) {
    if (/\/demos\/[^/]+\.msc[xz]$/i.test(f)) c.push({ package: 'musescore3-common', originalPath: f.slice(11), method: 'mscore3', input: f, kind: 'mix' });
  }
  // LMMS demo projects and shorties (not the tutorials).
  for (const f of dpkgFiles('lmms-common')) {
    if (/\/lmms\/projects\/(demos|shorties)\/.+\.mmpz?$/i.test(f)) c.push({ package: 'lmms-common', originalPath: f.slice(11), method: 'lmms', input: f, kind: 'mix' });
  }
  return c;
}

// ------------------------------------------------------------------------------------------------
// Audio

function probe(file) {
  const r = run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=channels,sample_rate', '-select_streams', 'a:0', '-of', 'json', file], { timeoutS: 120 });
  if (r.code !== 0) return null;
  try {
    const j = JSON.parse(r.stdout);
    return { durationS: Number(j.format?.duration), channels: Number(j.streams?.[0]?.channels), sampleRate: Number(j.streams?.[0]?.sample_rate) };
  } catch { return null; }
}

/** The musically active span [start, end] (leading and trailing silence below SILENCE_DB removed). */
function activeSpan(file, durationS) {
  const r = run('ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-i', file, '-af', `silencedetect=noise=${SILENCE_DB}dB:d=0.5`, '-f', 'null', '-'], { timeoutS: 300 });
  if (r.code !== 0) return null;
  const events = [];
  for (const m of r.stderr.matchAll(/silence_(start|end): (-?[0-9.]+)/g)) events.push({ t: m[1], v: Number(m[2]) });
  let start = 0;
  let end = durationS;
  if (events.length && events[0].t === 'start' && events[0].v <= 0.05) {
    const e = events[1];
    start = e && e.t === 'end' ? e.v : durationS;
  }
  const last = events[events.length - 1];
  if (last && last.t === 'start' && last.v > start) end = last.v;
  else if (last && last.t === 'end' && last.v >= durationS - 0.05) {
    const s = events[events.length - 2];
    if (s && s.t === 'start' && s.v > start) end = s.v;
  }
  return { start, end: Math.max(start, end) };
}

/** Upmix (mono only), resample to 44.1 kHz and cut to exactly lenS (in output samples). */
function filterChain(channels, lenS) {
  const parts = [];
  if (channels === 1) parts.push('pan=stereo|c0=c0|c1=c0');
  else if (channels !== 2) return null;
  // Double-precision samples from here on: the static gain is applied before the one conversion to
  // integer PCM (else the output format, negotiated backwards, would clip the render first).
  parts.push('aresample=44100:resampler=soxr:precision=28', 'aformat=sample_fmts=dbl');
  if (lenS !== undefined) parts.push(`atrim=end_sample=${Math.round(lenS * 44100)}`);
  return parts;
}

function peakDb(file, startS, lenS, channels) {
  const chain = filterChain(channels, lenS);
  const r = run('ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-ss', startS.toFixed(3), '-t', (lenS + 0.5).toFixed(3), '-i', file,
    '-af', [...chain, 'astats=measure_perchannel=none:measure_overall=Peak_level'].join(','), '-f', 'null', '-'], { timeoutS: 300 });
  const m = /Peak level dB: (-?inf|-?[0-9.]+)/.exec(r.stderr);
  if (r.code !== 0 || !m) return null;
  return m[1].endsWith('inf') ? -Infinity : Number(m[1]);
}

function writeExcerpt(file, startS, lenS, channels, gainDb, codec, out) {
  const chain = filterChain(channels, lenS);
  if (gainDb !== 0) chain.push(`volume=${gainDb.toFixed(4)}dB`);
  const r = run('ffmpeg', ['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-ss', startS.toFixed(3), '-t', (lenS + 0.5).toFixed(3), '-i', file,
    '-af', chain.join(','), '-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact', '-c:a', codec, '-ar', '44100', '-ac', '2', '-f', 'wav', out], { timeoutS: 300 });
  return r.code === 0 ? null : r.stderr.trim().split('\n').slice(-3).join(' ');
}

// ------------------------------------------------------------------------------------------------
// Main

function parseArgs(argv) {
  const a = { verify: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repo') a.repo = argv[++i];
    else if (argv[i] === '--cache') a.cache = argv[++i];
    else if (argv[i] === '--apt-seconds') a.aptSeconds = Number(argv[++i]);
    else if (argv[i] === '--verify') a.verify = true;
  }
  a.repo ??= join(HERE, '..', '..');
  a.cache ??= join(a.repo, 'training', 'cache', 'sources');
  return a;
}

function corpusEntries(repo) {
  const dir = join(repo, '..', 'shared', 'corpus');
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) return [];
  const j = JSON.parse(readFileSync(mf, 'utf8'));
  return (j.files ?? []).map((f) => {
    const originalPath = canonicalOriginal(f.origin.original_file);
    const key = songKey(f.origin.package, originalPath);
    return {
      id: `corpus-${f.id}`,
      file: relative(repo, join(dir, f.file)).split('\\').join('/'),
      package: f.origin.package,
      packageVersion: f.origin.package_version,
      originalPath,
      license: f.license,
      kind: f.role === 'reference' ? 'mastered' : 'mix',
      durationS: f.measurements?.duration_s ?? f.excerpt?.duration_s,
      split: splitOf(key),
      songKey: key,
      source: 'shared-corpus',
      excerptStartS: f.excerpt?.start_s ?? 0,
      sourceDurationS: f.excerpt?.source_duration_s ?? null,
      gainDb: f.processing?.gain_db ?? 0,
      format: f.processing?.format ?? null,
    };
  });
}

/** The original path as written in the manifest: relative to /usr/share, case kept, `!` for zip members. */
function canonicalOriginal(p) {
  let s = String(p).trim();
  const zm = /^(.*?)\s*\(zip member\s+(.+)\)\s*$/i.exec(s);
  if (zm) s = `${zm[1]}!${zm[2]}`;
  return s.replace(/^\/?usr\/share\//, '');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const exclusions = readExclusions();
  const isExcluded = makeExcluder(exclusions);
  const manifestFile = join(args.cache, 'manifest.json');

  if (args.verify) {
    if (!existsSync(manifestFile)) { console.error('verify: no manifest'); process.exit(1); }
    const entries = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const bad = entries.filter((e) => isExcluded(e.package, e.originalPath));
    const missing = entries.filter((e) => !existsSync(join(args.repo, e.file)));
    for (const e of bad) console.error(`verify: EXCLUDED SONG IN MANIFEST: ${e.package} ${e.originalPath}`);
    for (const e of missing) console.error(`verify: missing file ${e.file}`);
    if (bad.length || missing.length) process.exit(1);
    console.log(`verify: ${entries.length} entries, none excluded (${exclusions.length} exclusions), all files present`);
    return;
  }

  const metaDir = join(args.cache, 'meta');
  const skipDir = join(args.cache, 'skipped');
  const tmpDir = join(args.cache, 'tmp');
  for (const d of [metaDir, skipDir, tmpDir]) mkdirSync(d, { recursive: true });
  const logFile = join(args.cache, 'prepare.log');
  const log = (msg) => { const line = `${new Date().toISOString()} ${msg}`; console.log(line); appendFileSync(logFile, `${line}\n`); };
  const t0 = Date.now();
  log(`prepare: start (${exclusions.length} excluded songs)`);

  const corpus = corpusEntries(args.repo);
  const corpusKeys = new Set(corpus.map((e) => e.songKey));
  for (const e of corpus) {
    if (isExcluded(e.package, e.originalPath)) throw new Error(`shared corpus holds an excluded song: ${e.originalPath}`);
  }

  const versions = {};
  for (const pkg of Object.keys(FAMILY)) {
    if (pkg !== 'musescore-common' && !dpkgVersion(pkg)) log(`warning: package ${pkg} is not installed: its songs are left out`);
  }
  const candidates = gatherCandidates();
  const entries = [];
  const skipped = [];
  const seenKeys = new Set();
  const usedIds = new Set();
  const countPerPackage = {};
  const timePerMethod = {};
  const retry = process.env.RETRY_FAILED === '1';

  // Mastered in hash order within each package (for the caps); then the mixes.
  const order = (x) => `${x.kind === 'mastered' ? 0 : 1}|${x.package}|${hashOrder(songKey(x.package, x.originalPath))}`;
  candidates.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));

  const writeManifest = () => {
    const all = [...corpus, ...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    writeJson(manifestFile, all);
    return all;
  };

  for (const cand of candidates) {
    const { package: pkg, originalPath } = cand;
    // 1. Exclusion first: nothing of an excluded song is read, extracted or rendered.
    if (isExcluded(pkg, originalPath)) {
      log(`skip ${pkg} ${originalPath}: reserved for the independent evaluation (excluded)`);
      skipped.push({ package: pkg, originalPath, reason: 'excluded (reserved for evaluation)' });
      continue;
    }
    const key = songKey(pkg, originalPath);
    if (corpusKeys.has(key)) { skipped.push({ package: pkg, originalPath, reason: 'in the shared corpus (listed from there)' }); continue; }
    if (seenKeys.has(key)) { skipped.push({ package: pkg, originalPath, reason: `another version of ${key} already taken` }); continue; }
    const cap = cand.kind === 'mastered' ? MASTERED_CAP[pkg] ?? Infinity : Infinity;
    if ((countPerPackage[pkg] ?? 0) >= cap) continue;

    let id = `${FAMILY[pkg] ?? pkg}-${slug(songTitle(originalPath))}`;
    if (usedIds.has(id)) id = `${id}-${hashOrder(originalPath).slice(0, 6)}`;
    const metaFile = join(metaDir, `${id}.json`);
    const wavName = `${id}.wav`;
    const wav = join(args.cache, wavName);
    const skipFile = join(skipDir, `${id}.json`);

    if (existsSync(metaFile) && existsSync(wav)) {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
      if (meta.originalPath === originalPath) {
        meta.split = splitOf(key); // the rules of this version of the script, not of the run that made the file
        meta.songKey = key;
        const lic = licenseInfo(pkg, originalPath);
        meta.license = lic.license;
        if (lic.copyright) meta.copyright = lic.copyright;
        entries.push(meta); seenKeys.add(key); usedIds.add(id);
        countPerPackage[pkg] = (countPerPackage[pkg] ?? 0) + 1;
        continue;
      }
    }
    if (existsSync(skipFile) && !retry) {
      const s = JSON.parse(readFileSync(skipFile, 'utf8'));
      skipped.push(s);
      log(`skip ${pkg} ${originalPath}: ${s.reason} (earlier run; RETRY_FAILED=1 to try again)`);
      continue;
    }

    versions[pkg] ??= dpkgVersion(pkg);
    const t1 = Date.now();
    const fail = (reason) => {
      const s = { package: pkg, originalPath, id, reason };
      writeJson(skipFile, s);
      skipped.push(s);
      log(`skip ${pkg} ${originalPath}: ${reason}`);
    };
    const work = join(tmpDir, id);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      // 2. The whole song as audio.
      let src;
      let tool;
      const env = { QT_QPA_PLATFORM: 'offscreen', HOME: join(tmpDir, 'home'), XDG_RUNTIME_DIR: work };
      mkdirSync(env.HOME, { recursive: true });
      if (cand.method === 'decode') {
        if (cand.archive) {
          src = join(work, basename(cand.member));
          const r = spawnSync('unzip', ['-p', cand.archive, cand.member], { maxBuffer: 512 * 1024 * 1024 });
          if (r.status !== 0) { fail(`unzip failed (${r.status})`); continue; }
          writeFileSync(src, r.stdout);
        } else src = cand.input;
        tool = 'ffmpeg (decode)';
      } else if (cand.method === 'fluidsynth') {
        src = join(work, 'render.wav');
        const r = render('fluidsynth', ['-ni', '-q', '-F', src, '-r', '44100', '-T', 'wav', '-O', 'float', '/usr/share/sounds/sf2/FluidR3_GM.sf2', cand.input], { env });
        if (r.code !== 0 || !existsSync(src)) { fail(`fluidsynth failed (${r.code ?? r.signal}): ${r.stderr.trim().slice(-200)}`); continue; }
        tool = 'fluidsynth + FluidR3_GM.sf2 (44.1 kHz float)';
      } else if (cand.method === 'mscore3') {
        src = join(work, 'render.wav');
        const r = render('mscore3', ['-o', src, cand.input], { env });
        if (r.code !== 0 || !existsSync(src)) { fail(`mscore3 failed (${r.code ?? r.signal}): ${r.stderr.trim().slice(-200)}`); continue; }
        tool = 'mscore3 -o (MuseScore_General sound font)';
      } else if (cand.method === 'lmms') {
        src = join(work, 'render.wav');
        const r = render('lmms', ['--allowroot', 'render', cand.input, '-a', '-f', 'wav', '-s', '44100', '-i', 'sincfastest', '-o', src], { env });
        if (r.code !== 0 || !existsSync(src)) { fail(`lmms render failed (${r.code ?? r.signal}): ${(r.stderr + r.stdout).trim().slice(-200)}`); continue; }
        tool = 'lmms render (32-bit float, 44.1 kHz)';
      }
      // 3. Excerpt: the middle of the musically active part, at most 60 s.
      let info = probe(src);
      if ((!info || !(info.durationS > 0)) && /\.ogg$/i.test(src)) {
        // A few Vorbis files have a comment header ffmpeg rejects; libvorbis (oggdec) reads them.
        const dec = join(work, 'oggdec.wav');
        const r = run('oggdec', ['-Q', '-o', dec, src]);
        if (r.code === 0 && existsSync(dec)) { src = dec; info = probe(src); tool = 'oggdec (libvorbis, 16-bit) + ffmpeg'; }
      }
      if (!info || !(info.durationS > 0)) { fail('unreadable audio (ffprobe)'); continue; }
      if (!filterChain(info.channels)) { fail(`${info.channels} channels`); continue; }
      const span = activeSpan(src, info.durationS);
      if (!span) { fail('ffmpeg silencedetect failed'); continue; }
      const music = span.end - span.start;
      if (music <= 0) { fail('silent'); continue; }
      if (music < MIN_MUSIC_S) { fail(`too short: ${music.toFixed(1)} s of music (< ${MIN_MUSIC_S} s)`); continue; }
      const len = Math.min(MAX_EXCERPT_S, Math.floor(music * 1000) / 1000);
      const start = Math.round((span.start + (music - len) / 2) * 1000) / 1000;
      const peak = peakDb(src, start, len, info.channels);
      if (peak === null) { fail('peak measurement failed'); continue; }
      if (peak < SILENT_PEAK_DB) { fail(`silent (peak ${peak.toFixed(1)} dBFS)`); continue; }
      // 4. Fixed static gain, mixes only, when the peak is outside (-12, -1] dBFS.
      let gain = 0;
      if (cand.kind === 'mix' && (peak > GAIN_IF_ABOVE_DB || peak < GAIN_IF_BELOW_DB)) gain = GAIN_TARGET_DB - peak;
      const codec = cand.kind === 'mix' ? 'pcm_s24le' : 'pcm_s16le';
      const err = writeExcerpt(src, start, len, info.channels, gain, codec, `${wav}.part`);
      if (err) { fail(`ffmpeg write failed: ${err}`); continue; }
      const outInfo = probe(`${wav}.part`);
      if (!outInfo || outInfo.durationS < MIN_MUSIC_S) { fail('written excerpt unreadable or short'); rmSync(`${wav}.part`, { force: true }); continue; }
      renameSync(`${wav}.part`, wav);
      const lic = licenseInfo(pkg, originalPath);
      const entry = {
        id,
        file: relative(args.repo, wav).split('\\').join('/'),
        package: pkg,
        packageVersion: versions[pkg],
        originalPath,
        license: lic.license,
        copyright: lic.copyright ?? undefined,
        kind: cand.kind,
        durationS: Math.round(outInfo.durationS * 1000) / 1000,
        split: splitOf(key),
        songKey: key,
        source: cand.method,
        tool,
        excerptStartS: start,
        sourceDurationS: Math.round(info.durationS * 1000) / 1000,
        sourceSampleRate: info.sampleRate,
        sourceChannels: info.channels,
        peakDbfs: Number.isFinite(peak) ? Math.round(peak * 100) / 100 : null,
        gainDb: Math.round(gain * 100) / 100,
        clipped: cand.kind === 'mastered' && peak > 0 ? 'decoded peak above full scale: clipped when stored' : undefined,
        format: `WAV ${codec === 'pcm_s24le' ? 24 : 16}-bit PCM, 44100 Hz, stereo`,
      };
      writeJson(metaFile, entry);
      if (existsSync(skipFile)) rmSync(skipFile);
      entries.push(entry); seenKeys.add(key); usedIds.add(id);
      countPerPackage[pkg] = (countPerPackage[pkg] ?? 0) + 1;
      const dt = (Date.now() - t1) / 1000;
      timePerMethod[cand.method] = (timePerMethod[cand.method] ?? 0) + dt;
      log(`ok   ${id} (${cand.kind}, ${entry.durationS} s from ${start} s of ${entry.sourceDurationS} s, peak ${entry.peakDbfs} dBFS, gain ${entry.gainDb} dB, ${entry.split}) ${dt.toFixed(1)} s`);
      writeManifest();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  const all = writeManifest();
  rmSync(tmpDir, { recursive: true, force: true });
  // Files of songs no longer selected (a cap reached by others, a changed rule) are removed, so that
  // the cache holds what the manifest lists and nothing else.
  const keep = new Set(entries.map((e) => e.id));
  for (const f of readdirSync(metaDir)) {
    const id = f.replace(/\.json$/, '');
    if (!keep.has(id)) { rmSync(join(metaDir, f), { force: true }); rmSync(join(args.cache, `${id}.wav`), { force: true }); log(`removed ${id} (no longer selected)`); }
  }
  const count = (f) => all.reduce((m, e) => ((m[f(e)] = (m[f(e)] ?? 0) + 1), m), {});
  let bytes = 0;
  for (const f of readdirSync(args.cache)) if (f.endsWith('.wav')) bytes += statSync(join(args.cache, f)).size;
  const report = {
    finished: new Date().toISOString(),
    secondsApt: args.aptSeconds ?? null,
    secondsThisRun: Math.round((Date.now() - t0) / 1000),
    secondsRenderByMethod: Object.fromEntries(Object.entries(timePerMethod).map(([k, v]) => [k, Math.round(v)])),
    songs: all.length,
    minutes: Math.round(all.reduce((s, e) => s + (e.durationS ?? 0), 0) / 6) / 10,
    perPackage: count((e) => e.package),
    perSplit: count((e) => e.split),
    perKind: count((e) => e.kind),
    perKindSplit: count((e) => `${e.kind}/${e.split}`),
    cacheWavBytes: bytes,
    skipped,
  };
  writeJson(join(args.cache, 'report.json'), report);
  // One line per run, so the time of the run that did the work is kept after quick reruns.
  const { skipped: _s, ...summary } = report;
  appendFileSync(join(args.cache, 'runs.jsonl'), `${JSON.stringify(summary)}\n`);
  log(`prepare: ${all.length} songs (${report.minutes} min), ${JSON.stringify(report.perSplit)}, ${(bytes / 1e9).toFixed(2)} GB of WAV, ${report.secondsThisRun} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
