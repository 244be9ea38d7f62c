#!/usr/bin/env bash
# Builds the demo APKs in samples/apk/ from samples/apk/src/<name>/ with Debian's real tools:
#   smali (classes.dex from the smali tree; Debian has no dx/d8, the java/ trees are for readers),
#   aapt package (binary AndroidManifest.xml + resources.arsc, against Debian's framework-res.apk),
#   zip (repack with fixed timestamps and order), zipalign -f 4, apksigner sign (v1 + v2).
# Tool versions this was last run with (samples/build.sh lists them all):
#   aapt: Android Asset Packaging Tool, v0.2-debian (aapt 1:10.0.0+r36-10)
#   smali 2.5.2.git2771eae-debian (libsmali-java 2.5.2.git2771eae-4)
#   zipalign 1:10.0.0+r36-1, apksigner 31.0.2-1, Zip 3.0, OpenJDK 17.0.15
# Output: samples/apk/{SelfRegister,Weather,DemoSettings,framework-res}.apk
set -euo pipefail
export LC_ALL=C TZ=UTC
: "${SOURCE_DATE_EPOCH:=1577836800}" # 2020-01-01T00:00:00Z: every zip entry gets this mtime
export SOURCE_DATE_EPOCH

here=$(cd "$(dirname "$0")" && pwd)
keys=$(cd "$here/../keys" && pwd)
frameworkRes=/usr/share/android-framework-res/framework-res.apk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$keys/make-keys.sh"

# build_apk <src dir name> <output name> <signing key alias> <smali api level> [extra aapt args]
build_apk() {
  local name=$1 out=$2 key=$3 api=$4; shift 4
  local src="$here/src/$name" w="$work/$name"
  mkdir -p "$w/tree"

  aapt package -f "$@" -M "$src/AndroidManifest.xml" -S "$src/res" -I "$frameworkRes" -F "$w/aapt.apk"
  (cd "$w/tree" && unzip -q "$w/aapt.apk")
  if [ -d "$src/smali" ]; then
    # The API level picks the dex version: 19/21 give dex 035, 29 gives dex 039.
    smali assemble -a "$api" -o "$w/tree/classes.dex" "$src/smali"
  fi

  # Repack so the bytes depend only on the sources: fixed mtimes, fixed order, no extra fields (-X).
  # zip -n does not keep .arsc stored when combined with -9 here, so resources.arsc gets its own
  # zip -0 pass (zip appends in order); Android 11+ wants it stored for targetSdk >= 30.
  # zip records each file's mode too, so pin it (0644) rather than inherit umask / aapt's 0666.
  find "$w/tree" -type f -exec chmod 0644 {} +
  find "$w/tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  (cd "$w/tree"
   zip -q -X -D -9 "$w/stage.apk" AndroidManifest.xml
   if [ -f classes.dex ]; then zip -q -X -D -9 "$w/stage.apk" classes.dex; fi
   zip -q -X -D -0 "$w/stage.apk" resources.arsc
   if [ -d res ]; then find res -type f | sort | zip -q -X -D -9 "$w/stage.apk" -@; fi)

  zipalign -f 4 "$w/stage.apk" "$w/aligned.apk"
  apksigner sign --ks "$keys/$key.p12" --ks-pass pass:android --ks-key-alias "$key" \
    --v1-signing-enabled true --v2-signing-enabled true --v3-signing-enabled false \
    --out "$here/$out.apk" "$w/aligned.apk"
  rm -f "$here/$out.apk.idsig"
  echo "built samples/apk/$out.apk ($(stat -c %s "$here/$out.apk") bytes, key $key)"
}

build_apk selfregister  SelfRegister  release  19
build_apk weather       Weather       release  21
build_apk demosettings  DemoSettings  platform 29
# -x: framework resource IDs (package 0x01), as in the real framework-res.apk.
build_apk framework-res framework-res platform 29 -x
