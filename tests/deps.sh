#!/usr/bin/env bash
# tests/deps.sh - install what the tests need beyond the base image
# (Debian 12 with readline, ncurses, sqlite3 dev packages, pkg-config and
# clang).  As root it runs apt-get; otherwise it prints the command.
set -u
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
# The import tests trace real programs with strace -f.
command -v strace >/dev/null 2>&1 || need+=(strace)
# The store tests make and inspect SQLite files with the sqlite3 shell.
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
# draw.sh parses and renders SVG with python3 (xml.etree) and rsvg-convert.
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
# The fuzz smoke links clang's libFuzzer and sanitizer runtimes.
command -v clang >/dev/null 2>&1 || need+=(clang)
if command -v clang >/dev/null 2>&1 &&
	[ ! -e "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
	need+=(libclang-rt-dev)
fi
if [ ${#need[@]} -eq 0 ]; then
	echo "deps: nothing to install"
	exit 0
fi
cmd="apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" = 0 ]; then
	echo "deps: $cmd"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	$cmd >/dev/null || { echo "deps: apt-get failed" >&2; exit 1; }
else
	echo "deps: not root; run: sudo $cmd"
fi
