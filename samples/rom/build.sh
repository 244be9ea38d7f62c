#!/usr/bin/env bash
# Builds the two demo ROMs from samples/rom/src/<variant>/ and the APKs in samples/apk/:
#   samples/rom/demo-global/image-demo-global.zip
#   samples/rom/demo-regional/image-demo-regional.zip
# Each is a factory-style image zip (like the inner image-<device>-<build>.zip of a Pixel
# factory image) holding android-info.txt, system.img and vendor.img. Both images are
# Android sparse images (img2simg) of ext4 filesystems made by mke2fs -t ext4 -d <tree>.
# system.img uses the system-as-root layout: /system/build.prop, /system/priv-app/…, plus the
# /etc -> /system/etc symlink real devices have. vendor.img holds /build.prop.
# Tool versions this was last run with (samples/build.sh lists them all):
#   mke2fs 1.47.0 (5-Feb-2023), EXT2FS Library version 1.47.0 (e2fsprogs 1.47.0-2+b2)
#   img2simg from android-sdk-libsparse-utils 1:29.0.6-28, Zip 3.0
#
# Reproducibility: the same inputs give the same bytes. What pins them:
#   mke2fs  -U <uuid> and -E hash_seed=<uuid> (fixed per variant and partition);
#           E2FSPROGS_FAKE_TIME for the superblock times (1.47.0 ignores SOURCE_DATE_EPOCH);
#           inode atime/mtime come from the tree, which is touched to SOURCE_DATE_EPOCH right
#           before mke2fs (reading a file after that would move its atime); ctime (which touch
#           cannot set) is rewritten afterwards with debugfs -w "sif <path> ctime @EPOCH";
#           inode uid/gid come from the tree too, hence fakeroot when not run as root;
#           modes are set explicitly (0644 files, 0755 dirs) so umask does not matter.
#   zip     -X (no extra fields), -D (no dir entries), fixed mtimes and modes, fixed order, TZ=UTC.
# Not pinned: nothing known; a different e2fsprogs version may lay out blocks differently.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then exec fakeroot -- "$0" "$@"; fi
export LC_ALL=C TZ=UTC
: "${SOURCE_DATE_EPOCH:=1577836800}" # 2020-01-01T00:00:00Z
export SOURCE_DATE_EPOCH E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH

here=$(cd "$(dirname "$0")" && pwd)
apks=$(cd "$here/../apk" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# make_ext4 <tree> <image> <label> <size> <uuid> <hash seed uuid>
make_ext4() {
  local tree=$1 img=$2 label=$3 size=$4 uuid=$5 seed=$6
  find "$tree" -type d -exec chmod 0755 {} +
  find "$tree" -type f -exec chmod 0644 {} +
  find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  # No journal, no reserved blocks: Android's read-only partitions are built the same way.
  mke2fs -q -F -t ext4 -b 4096 -L "$label" -O ^has_journal -m 0 -I 256 \
    -U "$uuid" -E "hash_seed=$seed,root_owner=0:0" -d "$tree" "$img" "$size" >/dev/null
  # mke2fs -d copies st_ctime, which touch cannot set: pin it afterwards with debugfs.
  (cd "$tree" && find . -mindepth 1 | sort | sed -e 's|^\.||' -e "s|.*|sif \"&\" ctime @$SOURCE_DATE_EPOCH|") \
    > "$img.debugfs"
  debugfs -w -f "$img.debugfs" "$img" >/dev/null 2>&1
}

# add_app <tree> <priv-app|app> <Name>
add_app() {
  mkdir -p "$1/system/$2/$3"
  cp "$apks/$3.apk" "$1/system/$2/$3/$3.apk"
}

# build_rom <variant> <uuid prefix (7 hex)> <priv-apps...>
build_rom() {
  local variant=$1 id=$2; shift 2
  local w="$work/$variant" src="$here/src/$variant" out="$here/$variant"
  mkdir -p "$w/system-root" "$w/vendor-root" "$w/zip" "$out"

  # system.img, system-as-root
  cp -r "$src/system" "$w/system-root/system"
  mkdir -p "$w/system-root/system/framework"
  cp "$apks/framework-res.apk" "$w/system-root/system/framework/framework-res.apk"
  add_app "$w/system-root" app Weather
  local app
  for app in "$@"; do add_app "$w/system-root" priv-app "$app"; done
  ln -s /system/etc "$w/system-root/etc"
  make_ext4 "$w/system-root" "$w/system.raw" system 8M "${id}0-0000-4000-8000-000000000001" "${id}0-0000-4000-8000-000000000002"

  # vendor.img: the vendor partition's root is /vendor on the device
  cp -r "$src/vendor/." "$w/vendor-root/"
  make_ext4 "$w/vendor-root" "$w/vendor.raw" vendor 4M "${id}0-0000-4000-8000-000000000003" "${id}0-0000-4000-8000-000000000004"

  img2simg "$w/system.raw" "$w/zip/system.img"
  img2simg "$w/vendor.raw" "$w/zip/vendor.img"
  printf 'require board=demo\nrequire version-bootloader=demo-1.0\n' > "$w/zip/android-info.txt"

  chmod 0644 "$w/zip"/*   # zip records modes: do not let umask leak into the bytes
  find "$w/zip" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  rm -f "$out/image-$variant.zip"
  (cd "$w/zip" && zip -q -X -D -9 "$out/image-$variant.zip" android-info.txt system.img vendor.img)
  echo "built samples/rom/$variant/image-$variant.zip ($(stat -c %s "$out/image-$variant.zip") bytes;" \
       "system.img $(stat -c %s "$w/zip/system.img") bytes sparse of $(stat -c %s "$w/system.raw")," \
       "vendor.img $(stat -c %s "$w/zip/vendor.img") bytes sparse)"
}

build_rom demo-global   5a1e0a1 DemoSettings
build_rom demo-regional 5a1e0c2 DemoSettings SelfRegister
