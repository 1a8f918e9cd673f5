#!/usr/bin/env bash
# Put the Developer ID certificate in a temporary keychain, BEFORE PyInstaller freezes the app, so that
# PyInstaller signs every binary and the bundle with it (hardened runtime, secure timestamp) while
# building: QC_CODESIGN_IDENTITY in packaging/quarantine-checker.spec. Run on the macOS runner.
#
# Secrets (environment): MACOS_CERTIFICATE_P12_BASE64, MACOS_CERTIFICATE_PASSWORD, RUNNER_TEMP.
# Without a certificate it does nothing (the build is then ad hoc signed, for testing only).
set -euo pipefail
if [ -z "${MACOS_CERTIFICATE_P12_BASE64:-}" ]; then
  echo "::warning::no signing certificate: the app will be ad hoc signed and not notarised (test build only)"
  exit 0
fi
keychain="$RUNNER_TEMP/qc-signing.keychain-db"
keychain_password="$(uuidgen)"
echo "$MACOS_CERTIFICATE_P12_BASE64" | base64 --decode > "$RUNNER_TEMP/cert.p12"
security create-keychain -p "$keychain_password" "$keychain"
security set-keychain-settings -lut 21600 "$keychain"
security unlock-keychain -p "$keychain_password" "$keychain"
security import "$RUNNER_TEMP/cert.p12" -P "$MACOS_CERTIFICATE_PASSWORD" -A -t cert -f pkcs12 -k "$keychain"
security set-key-partition-list -S apple-tool:,apple: -k "$keychain_password" "$keychain" >/dev/null
# shellcheck disable=SC2046  # the existing keychains, one word each
security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
rm -f "$RUNNER_TEMP/cert.p12"
security find-identity -v -p codesigning "$keychain" | grep -F "$MACOS_SIGNING_IDENTITY" >/dev/null || {
  echo "the keychain holds no identity \"$MACOS_SIGNING_IDENTITY\"" >&2; exit 1; }
