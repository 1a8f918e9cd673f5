# The README's two commands are `make demo` and `make test`. Both do all their own set-up on a
# fresh Debian machine: apt packages (as root, or through sudo), a virtualenv in .venv, the app.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 gnome-keyring libsecret-tools \
                dbus dbus-x11 imagemagick desktop-file-utils wixl msitools at-spi2-core python3-pyatspi xdotool

.PHONY: demo test setup apt venv lint types bench clean package

demo: setup
	$(BIN)/quarantine-checker --demo

test: setup
	$(BIN)/ruff check app tests benchmarks
	$(MAKE) --no-print-directory types
	tests/run-suite.sh

setup: apt venv

apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

lint: venv
	$(BIN)/ruff check app tests benchmarks
	$(MAKE) --no-print-directory types

# mypy (settings in pyproject.toml) as it sees each desktop the app ships for: Windows-only and macOS-only
# code is checked against that platform's stubs, not skipped. One cache per platform, inside .venv.
types: venv
	$(BIN)/mypy --platform linux --cache-dir $(VENV)/mypy_cache/linux
	$(BIN)/mypy --platform win32 --cache-dir $(VENV)/mypy_cache/win32
	$(BIN)/mypy --platform darwin --cache-dir $(VENV)/mypy_cache/darwin

# The installers this machine can build: the PyInstaller bundle and the .deb (xz), then their sizes.
# Windows (MSI) and macOS (.dmg) are built by .github/workflows/package.yml on their own runners.
package: setup
	$(BIN)/pip install -q -e '.[package]'
	$(BIN)/python packaging/build.py all --compression xz

bench: setup
	$(BIN)/python benchmarks/list_scale.py

clean:
	rm -rf $(VENV) build dist artifacts
