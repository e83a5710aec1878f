#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the build and test dependencies of chaird on Debian 12 or 13.
# Sourced by tools/run-tests and tools/run-demo. Safe to run again: it only
# installs what is missing.
set -euo pipefail

chaird_sudo() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "error: need root (or sudo) to install: $*" >&2
		return 1
	fi
}

chaird_have_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

chaird_gpiod_v2_installed() {
	pkg-config --atleast-version=2.0 libgpiod 2>/dev/null
}

chaird_apt_updated=0
chaird_apt_update() {
	if [ "$chaird_apt_updated" -eq 0 ]; then
		chaird_sudo apt-get update -q
		chaird_apt_updated=1
	fi
}

# On Debian 12 libgpiod 2.x is only in bookworm-backports.
chaird_enable_backports() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ "$codename" = "bookworm" ] || return 0
	if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	echo "Adding the bookworm-backports suite for libgpiod 2.x"
	chaird_sudo tee /etc/apt/sources.list.d/chaird-backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	chaird_apt_updated=0
}

# chaird_install_deps PKG...: install the packages that are missing, plus
# libgpiod 2.x (from backports on bookworm).
chaird_install_deps() {
	local missing=() p codename
	for p in "$@"; do
		chaird_have_pkg "$p" || missing+=("$p")
	done
	if ! chaird_gpiod_v2_installed; then
		chaird_enable_backports
		missing+=(libgpiod-dev)
	fi
	[ "${#missing[@]}" -gt 0 ] || return 0
	echo "Installing: ${missing[*]}"
	chaird_apt_update
	export DEBIAN_FRONTEND=noninteractive
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	local gpiod_pkgs=()
	local rest=()
	for p in "${missing[@]}"; do
		case "$p" in
		libgpiod-dev|libgpiod3|gpiod) gpiod_pkgs+=("$p") ;;
		*) rest+=("$p") ;;
		esac
	done
	if [ "${#rest[@]}" -gt 0 ]; then
		chaird_sudo apt-get install -y -q --no-install-recommends "${rest[@]}"
	fi
	if [ "${#gpiod_pkgs[@]}" -gt 0 ]; then
		if [ "$codename" = "bookworm" ]; then
			chaird_sudo apt-get install -y -q --no-install-recommends \
				-t bookworm-backports "${gpiod_pkgs[@]}"
		else
			chaird_sudo apt-get install -y -q --no-install-recommends "${gpiod_pkgs[@]}"
		fi
	fi
	if ! chaird_gpiod_v2_installed; then
		echo "error: libgpiod 2.x is still missing after install" >&2
		return 1
	fi
}

CHAIRD_BUILD_DEPS=(build-essential meson ninja-build pkg-config libdbus-1-dev
	libsystemd-dev libcmocka-dev dbus dbus-daemon libglib2.0-bin systemd)
# chair-preview draws with cairo; its pictures need a font.
CHAIRD_BUILD_DEPS+=(libcairo2-dev fonts-dejavu-core)
# Profiles and history are kept in SQLite; sqlite3 is the tool to look inside.
CHAIRD_BUILD_DEPS+=(libsqlite3-dev sqlite3)
# The touchscreen panel (GTK 4), and what its tests need: a real X server,
# xdotool to tap, ImageMagick for screenshots.
CHAIRD_PANEL_DEPS=(libgtk-4-dev libglib2.0-dev-bin xvfb xdotool imagemagick)
# The hostile-input checks: clang with libFuzzer and the sanitizer runtimes
# (libclang-rt-dev is libclang-rt-14-dev on Debian 12).
CHAIRD_FUZZ_DEPS=(clang libclang-rt-dev)

# chaird_setup_hostile_build DIR: the clang build with AddressSanitizer,
# UndefinedBehaviorSanitizer and the fuzz targets, shared by tools/run-fuzz
# and the sanitizer runs of tools/run-tests.
chaird_setup_hostile_build() {
	local dir=$1
	local opts=(-Dfuzzers=true -Db_sanitize=address,undefined -Db_lundef=false
		-Dpanel=disabled -Dpreview=disabled -Dbuildtype=debugoptimized)
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "${opts[@]}" >/dev/null
	else
		CC=clang meson setup "$dir" "${opts[@]}" >/dev/null
	fi
}

# The test VM (tools/vm-kernel, tools/vm-run): QEMU, and Debian's kernel
# source with what building it needs; for the system suite's kiosk test,
# cage (which will not start without Xwayland) and grim.
CHAIRD_VM_DEPS=(qemu-system-x86 build-essential flex bison bc libelf-dev libssl-dev xz-utils udev
	python3 cage xwayland grim)

chaird_install_vm_deps() {
	local missing=() p codename
	export DEBIAN_FRONTEND=noninteractive
	for p in "${CHAIRD_VM_DEPS[@]}"; do
		chaird_have_pkg "$p" || missing+=("$p")
	done
	if [ "${#missing[@]}" -gt 0 ]; then
		echo "Installing: ${missing[*]}"
		chaird_apt_update
		chaird_sudo apt-get install -y -q \
			--no-install-recommends "${missing[@]}"
	fi
	if ! ls /usr/src/linux-source-*.tar.xz >/dev/null 2>&1; then
		echo "Installing: linux-source-6.12"
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		if [ "$codename" = "bookworm" ]; then
			chaird_enable_backports
			chaird_apt_update
			chaird_sudo apt-get install -y -q \
				--no-install-recommends -t bookworm-backports linux-source-6.12
		else
			chaird_apt_update
			chaird_sudo apt-get install -y -q \
				--no-install-recommends linux-source-6.12
		fi
	fi
}
