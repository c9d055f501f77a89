#!/usr/bin/env bash
# System packages the test suite needs (Debian): Chromium for the browser tests, gettext for
# makemessages, poppler for looking at PDFs, Redis for the shared-cache tests. Installs only what is missing; needs root or sudo.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu)
dpkg -s libreoffice-impress-nogui >/dev/null 2>&1 || missing+=(libreoffice-impress-nogui)  # seminar deck → PDF in tests
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)  # annual review DOCX → PDF in tests
dpkg -s redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the shared-cache tests (rate limits across processes)
for extra in "$@"; do dpkg -s "$extra" >/dev/null 2>&1 || missing+=("$extra"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
