#!/usr/bin/env bash
# tests/ui/draw.sh - `draw FILE.svg`: the drawing is valid XML and SVG (read
# by a real parser, python3's xml.etree), holds one band per VMA and per
# gap with the map's labels, shows the last step's highlight when the REPL
# keeps one, renders to a PNG (rsvg-convert, from `make deps`), and a
# file that cannot be written is one error line with nothing printed.
. "$(dirname "$0")/../lib.sh"

# The SVG's facts, checked by a real XML parser: root element, bands,
# texts.  Prints "rects=N gaps=N" and the texts, or fails to parse.
svg_facts() { # file
	python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg", root.tag
assert int(root.get("width")) > 0 and int(root.get("height")) > 0
texts = ["".join(t.itertext()) for t in root.iter(ns + "text")]
rects = list(root.iter(ns + "rect"))
print("texts:", "|".join(texts))
print("highlight:", sum(1 for r in rects if r.get("stroke") in ("#1a7f1a", "#d9822b")))
PY
}

"$VM" -c 'map 0x200000000000 16k rw; map 0x200000008000 16k rw; map 0x200000004000 16k r; touch 0x200000000000 8k; draw '"$tmp"'/a.svg' >"$tmp/out" 2>"$tmp/err"
ok "draw prints one line and no error" grep -qx "drew pid 1 (3 VMAs) into $tmp/a.svg" "$tmp/out"
ok "draw: nothing on stderr" test ! -s "$tmp/err"
svg_facts "$tmp/a.svg" >"$tmp/facts" 2>&1
ok "the drawing parses as SVG" grep -q '^texts:' "$tmp/facts"
ok "it names each VMA, top down" grep -q 'vma#2.*vma#3.*vma#1' "$tmp/facts"
ok "gaps are collapsed and labelled" grep -q 'gap (95 TiB).*gap (32 TiB)' "$tmp/facts"
ok "faulted pages are marked" grep -q '########........' "$tmp/facts"
ok "batch mode has no highlight" grep -qx 'highlight: 0' "$tmp/facts"

# A name that needs escaping in XML: a file called a<b&c>.
"$VM" -c 'given file "/tmp/a<b&c>" 64k; openat(AT_FDCWD, "/tmp/a<b&c>", O_RDWR) ; mmap(0x200000000000, 8192, PROT_READ, MAP_SHARED|MAP_FIXED, 3, 0); draw '"$tmp"'/b.svg' >/dev/null 2>"$tmp/err"
ok "a file name with < & > is escaped" sh -c "python3 -c 'import xml.etree.ElementTree as E; E.parse(\"$tmp/b.svg\")' && grep -q 'a&lt;b&amp;c&gt;' '$tmp/b.svg'"

# In the REPL (driven through a pty by script(1)) the last step is outlined.
if command -v script >/dev/null 2>&1; then
	printf 'map 0x200000000000 16k rw\nmap 0x200000004000 16k rw\ndraw %s/c.svg\nquit\n' "$tmp" |
		TERM=dumb HOME=$tmp XDG_STATE_HOME=$tmp script -qec "$VM --repl" /dev/null >/dev/null 2>&1
	svg_facts "$tmp/c.svg" >"$tmp/facts" 2>&1
	ok "REPL: the last step's VMA is outlined" grep -qx 'highlight: 1' "$tmp/facts"
	ok "REPL: the step is summarised" grep -q 'merged prev + new' "$tmp/facts"
else
	echo "FAIL script(1) is missing (util-linux)"
	fail=$((fail + 1))
fi

# Rendered: a real PNG of a sensible size.
if command -v rsvg-convert >/dev/null 2>&1; then
	rsvg-convert "$tmp/a.svg" -o "$tmp/a.png" 2>"$tmp/err"
	ok "rsvg-convert renders it" python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", d[16:24])
assert w >= 600 and h >= 150, (w, h)' "$tmp/a.png"
else
	echo "FAIL rsvg-convert is missing: make deps installs librsvg2-bin"
	fail=$((fail + 1))
fi

# Errors: a file that cannot be written; no argument.
"$VM" -c 'map 0x200000000000 4k rw; draw /nonexistent/dir/x.svg' >"$tmp/out" 2>"$tmp/err"
ok "an unwritable file is one error" grep -qx 'error: -c:2: draw: /nonexistent/dir/x.svg: No such file or directory' "$tmp/err"
ok "and nothing drawn is claimed" sh -c "! grep -q drew '$tmp/out'"
"$VM" -c 'draw' >/dev/null 2>"$tmp/err"
ok "draw needs a file" grep -q '^error: .*draw' "$tmp/err"

summary
