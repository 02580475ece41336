#!/usr/bin/env bash
# Regenerate the placeholder media of the demo trail from the scripts in scripts/.
#
#   scripts/<stop>.<lang>.txt  one sentence per line (blank lines are skipped)
#   -> media/<stop>.<lang>.opus  synthetic speech (espeak-ng), mono Ogg Opus
#   -> media/<stop>.<lang>.vtt   WebVTT transcript, one cue per sentence
#   -> media/riviere.opus        synthetic water ambience (ffmpeg lavfi noise), stereo
#
# Needs bash, espeak-ng, ffmpeg and ffprobe; downloads nothing. The output is meant to be
# byte-for-byte reproducible with the same tool versions (fixed noise seeds, bitexact
# muxing, no metadata). After editing a script, copy the new wording into the matching
# `text:` field of trail.yaml.
#
# Usage: ./make_media.sh            (from any directory)

set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scripts="$here/scripts"
media="$here/media"

SPEED=150           # espeak-ng words per minute: a little slower than its default
PAUSE_S=0.5         # silence between two sentences
VOICE_BITRATE=24k
AMBIENCE_BITRATE=32k
AMBIENCE_S=25       # the tremolo rates below complete whole cycles in 25 s: loops cleanly

for tool in espeak-ng ffmpeg ffprobe; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make_media.sh: '$tool' is required but was not found on PATH" >&2
        exit 1
    fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$media"

# Every output: no metadata, no encoder tag, deterministic muxing.
CLEAN=(-map_metadata -1 -map_chapters -1 -fflags +bitexact -flags:a +bitexact)

ffmpeg_quiet() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }

duration_s() {
    ffprobe -v error -show_entries format=duration -of default=noprint_wrappers=1:nokey=1 "$1"
}

# WebVTT timestamp (HH:MM:SS.mmm) of a number of seconds.
vtt_time() {
    awk -v t="$1" 'BEGIN {
        ms = int(t * 1000 + 0.5); h = int(ms / 3600000); ms -= h * 3600000
        m = int(ms / 60000); ms -= m * 60000; s = int(ms / 1000); ms -= s * 1000
        printf "%02d:%02d:%02d.%03d", h, m, s, ms }'
}

voice_for() {
    case "$1" in
        fr*) echo "fr" ;;
        en*) echo "en" ;;
        *) echo "make_media.sh: no espeak-ng voice configured for language '$1'" >&2; return 1 ;;
    esac
}

# espeak-ng writes 22050 Hz mono 16-bit WAV; the pause must match for the concat demuxer.
ffmpeg_quiet -f lavfi -i "anullsrc=r=22050:cl=mono" -t "$PAUSE_S" -c:a pcm_s16le "$work/pause.wav"

shopt -s nullglob
scripts_found=0
for script in "$scripts"/*.txt; do
    scripts_found=1
    base="$(basename "$script" .txt)"      # <stop>.<lang>
    lang="${base##*.}"
    voice="$(voice_for "$lang")"
    list="$work/$base.list"
    vtt="$work/$base.vtt"
    : >"$list"
    printf 'WEBVTT\n' >"$vtt"

    offset=0
    cue=0
    while IFS= read -r sentence || [[ -n "$sentence" ]]; do
        sentence="${sentence%$'\r'}"
        [[ -z "${sentence// /}" ]] && continue
        cue=$((cue + 1))
        wav="$work/$base.$cue.wav"
        espeak-ng -v "$voice" -s "$SPEED" -w "$wav" -- "$sentence"
        length="$(duration_s "$wav")"
        end="$(awk -v a="$offset" -v b="$length" 'BEGIN { printf "%.3f", a + b }')"
        printf '\n%d\n%s --> %s\n%s\n' "$cue" "$(vtt_time "$offset")" "$(vtt_time "$end")" \
            "$sentence" >>"$vtt"
        [[ $cue -gt 1 ]] && printf "file '%s'\n" "$work/pause.wav" >>"$list"
        printf "file '%s'\n" "$wav" >>"$list"
        offset="$(awk -v a="$end" -v p="$PAUSE_S" 'BEGIN { printf "%.3f", a + p }')"
    done <"$script"

    if [[ $cue -eq 0 ]]; then
        echo "make_media.sh: $script has no sentence" >&2
        exit 1
    fi
    ffmpeg_quiet -f concat -safe 0 -i "$list" "${CLEAN[@]}" \
        -c:a libopus -b:a "$VOICE_BITRATE" -ac 1 "$work/$base.opus"
    mv "$work/$base.opus" "$media/$base.opus"
    mv "$vtt" "$media/$base.vtt"
    printf '%-28s %5.1f s  %s cues\n' "$base.opus" "$(duration_s "$media/$base.opus")" "$cue"
done

if [[ $scripts_found -eq 0 ]]; then
    echo "make_media.sh: no scripts in $scripts" >&2
    exit 1
fi

# Ambience: two decorrelated brown-noise beds (left, right) for the flow of the river and a
# faint band of rippling white noise on top. Synthetic, not a field recording.
ffmpeg_quiet \
    -f lavfi -i "anoisesrc=color=brown:amplitude=0.7:seed=11:r=48000:d=$AMBIENCE_S" \
    -f lavfi -i "anoisesrc=color=brown:amplitude=0.7:seed=12:r=48000:d=$AMBIENCE_S" \
    -f lavfi -i "anoisesrc=color=white:amplitude=0.3:seed=13:r=48000:d=$AMBIENCE_S" \
    -filter_complex "\
[0:a]highpass=f=80,lowpass=f=900,tremolo=f=0.4:d=0.25[l];\
[1:a]highpass=f=80,lowpass=f=900,tremolo=f=0.28:d=0.25[r];\
[l][r]join=inputs=2:channel_layout=stereo[bed];\
[2:a]bandpass=f=2500:width_type=h:w=1800,tremolo=f=3:d=0.7,volume=0.25,\
aformat=channel_layouts=stereo[ripple];\
[bed][ripple]amix=inputs=2:normalize=0,volume=0.45,alimiter=limit=0.7[out]" \
    -map "[out]" "${CLEAN[@]}" -c:a libopus -b:a "$AMBIENCE_BITRATE" -ac 2 \
    "$work/riviere.opus"
mv "$work/riviere.opus" "$media/riviere.opus"
printf '%-28s %5.1f s\n' "riviere.opus" "$(duration_s "$media/riviere.opus")"

# Sound objects (heard from a point, mono): the mill wheel and the river's current. Both are
# synthetic and loop cleanly: every rhythm below completes whole cycles in its length.
WHEEL_S=12          # a paddle thump every 2 s and a creak every 4 s: whole cycles in 12 s
CURRENT_S=16        # ripples at 2 Hz and a swell at 0.125 Hz: whole cycles in 16 s
OBJECT_BITRATE=24k

# The wheel: a low thump as each paddle strikes the water, a wooden creak in between.
ffmpeg_quiet \
    -f lavfi -i "aevalsrc=exprs='0.8*sin(2*PI*52*t)*exp(-9*mod(t\,2))':s=48000:d=$WHEEL_S" \
    -f lavfi -i "anoisesrc=color=pink:amplitude=0.6:seed=21:r=48000:d=$WHEEL_S" \
    -filter_complex "\
[1:a]bandpass=f=1100:width_type=q:w=8,tremolo=f=0.25:d=1,volume=4[creak];\
[0:a][creak]amix=inputs=2:normalize=0,lowpass=f=4000,alimiter=limit=0.8[out]" \
    -map "[out]" "${CLEAN[@]}" -c:a libopus -b:a "$OBJECT_BITRATE" -ac 1 "$work/roue.opus"
mv "$work/roue.opus" "$media/roue.opus"
printf '%-28s %5.1f s\n' "roue.opus" "$(duration_s "$media/roue.opus")"

# The current: brown noise for the flow, a band of rippling white noise over it.
ffmpeg_quiet \
    -f lavfi -i "anoisesrc=color=brown:amplitude=0.7:seed=31:r=48000:d=$CURRENT_S" \
    -f lavfi -i "anoisesrc=color=white:amplitude=0.3:seed=32:r=48000:d=$CURRENT_S" \
    -filter_complex "\
[0:a]highpass=f=100,lowpass=f=1200,tremolo=f=0.125:d=0.3[flow];\
[1:a]bandpass=f=3000:width_type=h:w=2000,tremolo=f=2:d=0.6,volume=0.3[ripple];\
[flow][ripple]amix=inputs=2:normalize=0,volume=0.6,alimiter=limit=0.7[out]" \
    -map "[out]" "${CLEAN[@]}" -c:a libopus -b:a "$OBJECT_BITRATE" -ac 1 "$work/courant.opus"
mv "$work/courant.opus" "$media/courant.opus"
printf '%-28s %5.1f s\n' "courant.opus" "$(duration_s "$media/courant.opus")"
