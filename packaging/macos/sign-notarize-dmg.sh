#!/usr/bin/env bash
# Sign "Quarantine Checker.app", put it in a .dmg, notarise and staple it. Run on macOS (the package
# workflow's macos job) after PyInstaller has built dist/Quarantine Checker.app.
#
#   packaging/macos/sign-notarize-dmg.sh <version>
#
# Secrets (environment; without them the .dmg is built ad-hoc signed and NOT notarised, for testing):
#   MACOS_CERTIFICATE_P12_BASE64  Developer ID Application certificate + key, .p12, base64
#   MACOS_CERTIFICATE_PASSWORD    its password
#   MACOS_SIGNING_IDENTITY        e.g. "Developer ID Application: Example Ltd (ABCDE12345)"
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   notarytool credentials (app-specific password)
#
# Why signing matters beyond Gatekeeper: Keychain items are tied to the signing identity of the
# executable that created them. An unsigned or ad-hoc-signed build prompts for Keychain access on
# every update and can fail outright ("Security Auth Failure"); a stable Developer ID keeps the
# user's saved sign-in across updates (see docs/ sign-in reference, keyring in frozen apps).
set -euo pipefail
version="${1:?usage: $0 <version>}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
app="$root/dist/Quarantine Checker.app"
dmg="$root/dist/QuarantineChecker-$version.dmg"
entitlements="$root/packaging/macos/entitlements.plist"
[ -d "$app" ] || { echo "no $app: build it with PyInstaller first" >&2; exit 1; }

if [ -n "${MACOS_CERTIFICATE_P12_BASE64:-}" ]; then
  keychain="$RUNNER_TEMP/qc-signing.keychain-db"
  keychain_password="$(uuidgen)"
  echo "$MACOS_CERTIFICATE_P12_BASE64" | base64 --decode > "$RUNNER_TEMP/cert.p12"
  security create-keychain -p "$keychain_password" "$keychain"
  security set-keychain-settings -lut 21600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  security import "$RUNNER_TEMP/cert.p12" -P "$MACOS_CERTIFICATE_PASSWORD" -A -t cert -f pkcs12 -k "$keychain"
  security set-key-partition-list -S apple-tool:,apple: -k "$keychain_password" "$keychain" >/dev/null
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
  rm -f "$RUNNER_TEMP/cert.p12"
  identity="$MACOS_SIGNING_IDENTITY"
else
  echo "::warning::no signing certificate: ad-hoc signature, no notarisation (test build only)"
  identity="-"
fi

# Sign inside-out: every library and framework first, then the app with the hardened runtime.
find "$app/Contents" -type f \( -name '*.so' -o -name '*.dylib' \) -print0 |
  xargs -0 -n 20 codesign --force --timestamp --options runtime --sign "$identity"
find "$app/Contents" -type d -name '*.framework' -print0 |
  xargs -0 -n 1 codesign --force --timestamp --options runtime --sign "$identity" || true
codesign --force --timestamp --options runtime --entitlements "$entitlements" --sign "$identity" "$app"
codesign --verify --deep --strict --verbose=2 "$app"

staging="$(mktemp -d)"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Quarantine Checker" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
rm -rf "$staging"

if [ "$identity" != "-" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose "$dmg"
fi
echo "dmg: $dmg ($(du -h "$dmg" | cut -f1))"
