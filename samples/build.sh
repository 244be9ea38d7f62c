#!/usr/bin/env bash
# Rebuilds every romscan demo sample with Debian's real Android tools:
#   samples/keys/make-keys.sh  public demo signing keys (only if missing; committed)
#   samples/apk/build.sh       demo APKs  -> samples/apk/*.apk
#   samples/rom/build.sh       demo ROMs  -> samples/rom/demo-{global,regional}/image-*.zip
# Re-running with the same tool versions gives byte-identical outputs (checked with
# sha256sum over two runs); samples/README.md says what is and is not pinned.
#
# Tool versions the committed samples were built with (Debian 12 bookworm, amd64):
#   aapt version           Android Asset Packaging Tool, v0.2-debian   (aapt 1:10.0.0+r36-10)
#   smali --version        smali 2.5.2.git2771eae-debian               (libsmali-java 2.5.2.git2771eae-4)
#   framework-res.apk      /usr/share/android-framework-res, API 29     (android-framework-res 1:10.0.0+r36-10)
#   zipalign               1:10.0.0+r36-1
#   apksigner              31.0.2-1
#   keytool / java         OpenJDK 17.0.15
#   mke2fs -V              mke2fs 1.47.0 (5-Feb-2023), EXT2FS Library version 1.47.0 (e2fsprogs 1.47.0-2+b2)
#   debugfs                1.47.0 (e2fsprogs 1.47.0-2+b2)
#   img2simg               android-sdk-libsparse-utils 1:29.0.6-28
#   zip                    Zip 3.0 (Info-ZIP, Debian zip 3.0-13)
#   fakeroot               only used when not run as root
# Debian packages: apt-get install aapt libsmali-java android-framework-res zipalign apksigner \
#   openjdk-17-jdk-headless e2fsprogs android-sdk-libsparse-utils zip unzip fakeroot
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/keys/make-keys.sh"
"$here/apk/build.sh"
"$here/rom/build.sh"
# SHA256SUMS is what test/samples/samples.test.ts checks the committed files against.
(cd "$here" && sha256sum apk/*.apk rom/*/*.zip | tee SHA256SUMS)
