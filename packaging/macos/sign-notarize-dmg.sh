#!/usr/bin/env bash
# Check the signed "Quarantine Checker.app", put it in a .dmg, notarise and staple it. Run on macOS (the
# package workflow's macos jobs) after packaging/macos/import-certificate.sh and PyInstaller, which signs
# the app while freezing with QC_CODESIGN_IDENTITY (hardened runtime, timestamp, entitlements): every
# binary inside, whatever its file type, so nothing is re-signed here.
#
#   packaging/macos/sign-notarize-dmg.sh <version> [arch]
#
# Secrets (environment; without MACOS_SIGNING_IDENTITY the .dmg is a test build: ad hoc, NOT notarised):
#   MACOS_SIGNING_IDENTITY        e.g. "Developer ID Application: Example Ltd (ABCDE12345)"
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   notarytool credentials (app-specific password)
#
# Every step fails the job: no failure is ignored. A rejected notarisation prints Apple's log (notarytool log).
#
# Why signing matters beyond Gatekeeper: Keychain items are tied to the signing identity of the
# executable that created them. An unsigned or ad-hoc-signed build prompts for Keychain access on
# every update and can fail outright ("Security Auth Failure"); a stable Developer ID keeps the
# user's saved sign-in across updates (see docs/ sign-in reference, keyring in frozen apps).
set -euo pipefail
version="${1:?usage: $0 <version> [arch]}"
arch="${2:-$(uname -m)}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
app="$root/dist/Quarantine Checker.app"
dmg="$root/dist/QuarantineChecker-$version-$arch.dmg"
identity="${MACOS_SIGNING_IDENTITY:-}"
[ -d "$app" ] || { echo "no $app: build it with PyInstaller first" >&2; exit 1; }

# The signature PyInstaller made must be intact for the whole bundle.
codesign --verify --deep --strict --verbose=2 "$app"
if [ -z "$identity" ]; then
  echo "::warning::no signing identity: test build, ad hoc signed, not notarised"
else
  details="$(codesign --display --verbose=4 "$app" 2>&1)"
  grep -F "Authority=$identity" <<<"$details" >/dev/null || {
    echo "the app is not signed by \"$identity\" (was QC_CODESIGN_IDENTITY set while freezing?)" >&2
    echo "$details" >&2; exit 1; }
  grep -E "flags=.*runtime" <<<"$details" >/dev/null || { echo "no hardened runtime in the signature" >&2; exit 1; }
  grep -F "Timestamp=" <<<"$details" >/dev/null || { echo "no secure timestamp in the signature" >&2; exit 1; }
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname "Quarantine Checker" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  submitted="$(xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait --output-format json)"
  echo "$submitted"
  read -r id status < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("id",""), d.get("status",""))' "$submitted")
  if [ "$status" != "Accepted" ]; then
    echo "notarisation $id: $status; Apple's log follows" >&2
    [ -n "$id" ] && xcrun notarytool log "$id" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" >&2
    exit 1
  fi
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
  spctl --assess --type execute --verbose=2 "$app"  # Gatekeeper accepts the app itself (notarised)
fi
echo "dmg: $dmg ($(du -h "$dmg" | cut -f1))"
