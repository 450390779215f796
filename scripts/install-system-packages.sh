#!/usr/bin/env bash
# Debian packages machiwb's tests and renderers need: Chromium for browser tests, a Japanese
# font so pages and charts never show tofu boxes, poppler-utils to look at rendered PDFs, gettext
# to check the English message catalogues.
# Pango for WeasyPrint (printable PDFs with the Japanese font embedded). nginx for the
# reverse-proxy drill (bench/proxy.py runs deploy/nginx/machiwb.conf without root).
set -euo pipefail
packages=(chromium fonts-noto-cjk poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0 nginx-light)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
