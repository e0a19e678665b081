#!/usr/bin/env bash
# Source songs for training the parameter model (issue 5).
#
# Installs (only when missing) the Debian packages that hold the music and the tools that render it,
# then renders/decodes one excerpt (at most 60 s) per song into training/cache/sources/ as WAV
# (44.1 kHz, stereo; 24-bit PCM for renders, 16-bit for decoded releases) and writes
# training/cache/sources/manifest.json. Idempotent: songs already in the cache are skipped.
# See training/DATA.md.
#
# Environment:
#   REFMASTER_SKIP_APT=1   do not call apt-get (use what is installed)
#   RETRY_FAILED=1         try again the songs that failed (or were skipped) in an earlier run
#   NICE=10                niceness of the render jobs (one job at a time)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="$REPO/training/cache/sources"
mkdir -p "$CACHE"
T0=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Songs reserved for an independent evaluation. They must NEVER be used, not even rendered.
# One line per song: package|path inside the package (under /usr/share/). A fretsonfire entry
# excludes its whole song folder (every stem in it). `pk3!member` names a member of a zip archive.
# prepare.mjs and test/training/sources.test.ts read this block; keep its format.
# BEGIN EXCLUDED
read -r -d '' EXCLUDED <<'EOF' || true
lmms-common|lmms/projects/demos/Socceroos-Progress.mmpz
lmms-common|lmms/projects/demos/StrictProduction-DearJonDoe.mmp
lmms-common|lmms/projects/demos/Impulslogik-Zen.mmpz
lmms-common|lmms/projects/demos/CapDan/CapDan-ZeroSumGame-OriginalByZakarra.mmpz
lmms-common|lmms/projects/demos/Oglsdl-Dr8v2.mmpz
lmms-common|lmms/projects/demos/TameAnderson-MakeMe.mmpz
lmms-common|lmms/projects/demos/Saber-FinalStep.mmpz
musescore3-common|mscore3-3.2/demos/Fugue_1.mscx
musescore3-common|mscore3-3.2/demos/Brassed_Up.mscx
openttd-openmsx|games/openttd/baseset/openmsx/chuggachugga.mid
openttd-openmsx|games/openttd/baseset/openmsx/the_hobo_redfarn.mid
fretsonfire-songs-sectoid|games/fretsonfire/data/songs/sectoid/Feelings
wesnoth-1.16-music|games/wesnoth/1.16/data/core/music/vengeful.ogg
wesnoth-1.16-music|games/wesnoth/1.16/data/core/music/into_the_shadows.ogg
nexuiz-music|games/nexuiz/data/music.pk3!sound/cdtracks/brainsukker.ogg
nexuiz-music|games/nexuiz/data/music.pk3!sound/cdtracks/brokenlight.ogg
fretsonfire-songs-muldjord|games/fretsonfire/data/songs/muldjord/mutilated_mime/song.ogg
ufoai-music|games/ufoai/base/0music.pk3!music/dbsea.ogg
ufoai-music|games/ufoai/base/0music.pk3!music/PsymongR4.ogg
ufoai-music|games/ufoai/base/0music.pk3!music/Crystan-LooseGame.ogg
singularity-music|games/singularity/music/Enemy Unknown.ogg
warzone2100-music|games/warzone2100/music/albums/aftermath_soundtrack/track17.opus
hyperrogue-music|hyperrogue/music/hr3-rlyeh.ogg
asc-music|games/asc/music/machine_wars.mp3
EOF
# END EXCLUDED
# ---------------------------------------------------------------------------------------------
printf '%s\n' "$EXCLUDED" > "$CACHE/.excluded.txt"

# Tools, then the music packages (about 1 GB of downloads in all on a fresh Debian 12 machine).
TOOLS=(ffmpeg unzip vorbis-tools lmms lmms-common musescore3 musescore3-common musescore-general-soundfont-small
       fluidsynth fluid-soundfont-gm)
MUSIC=(openttd-openmsx planetblupi-music-midi wesnoth-1.16-music nexuiz-music ufoai-music
       singularity-music warzone2100-music hyperrogue-music asc-music
       fretsonfire-songs-sectoid fretsonfire-songs-muldjord)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [[ "${REFMASTER_SKIP_APT:-0}" != 1 ]]; then
  missing=()
  for p in "${TOOLS[@]}" "${MUSIC[@]}"; do installed "$p" || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "prepare: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
      apt-get update && apt-get install -y --no-install-recommends "${missing[@]}" || {
        echo "prepare: apt-get failed for the set; trying one package at a time" >&2
        for p in "${missing[@]}"; do apt-get install -y --no-install-recommends "$p" || echo "prepare: could not install $p" >&2; done
      }
    fi
  else
    echo "prepare: all packages already installed"
  fi
fi
for t in ffmpeg ffprobe unzip; do command -v "$t" >/dev/null || { echo "prepare: $t is required" >&2; exit 1; }; done
T1=$(date +%s)

nice -n "${NICE:-10}" node "$HERE/prepare.mjs" --repo "$REPO" --cache "$CACHE" --apt-seconds $((T1 - T0))

# Last line of defence: no excluded song in the manifest (prepare.mjs refuses them already).
node "$HERE/prepare.mjs" --repo "$REPO" --cache "$CACHE" --verify
echo "prepare: done in $(( $(date +%s) - T0 )) s; $(du -sh "$CACHE" | cut -f1) in $CACHE"
