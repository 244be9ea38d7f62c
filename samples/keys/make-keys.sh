#!/usr/bin/env bash
# Creates the two PUBLIC demo signing keys once (keytool, RSA 2048, PKCS#12, password
# "android"). They are committed on purpose so the samples rebuild to the same certificates;
# never trust anything signed with them. Re-running does nothing while the keys exist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for alias in platform release; do
  ks="$here/$alias.p12"
  [ -f "$ks" ] && continue
  keytool -genkeypair -keystore "$ks" -storetype PKCS12 -storepass android -keypass android \
    -alias "$alias" -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 18250 \
    -startdate "2020/01/01 00:00:00" \
    -dname "CN=romscan demo $alias key (public - do not trust), O=romscan samples, C=ZZ"
  keytool -exportcert -rfc -keystore "$ks" -storetype PKCS12 -storepass android \
    -alias "$alias" -file "$here/$alias.x509.pem"
done
