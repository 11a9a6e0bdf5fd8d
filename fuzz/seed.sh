#!/bin/sh
# Seeds the fuzz corpora (fuzz/corpus/<target>/) from the repository's examples and rulebook.
# Run from the repository root: sh fuzz/seed.sh. The corpora are not committed.
set -eu
c=fuzz/corpus
mkdir -p "$c/applicant" "$c/rulebook" "$c/matching" "$c/scan_content" "$c/verify"
i=0
for f in examples/*/applicant.toml examples/*/*/applicant.toml; do
    i=$((i + 1)); cp "$f" "$c/applicant/example-$i"
done
cp rules/*.toml "$c/rulebook/"
# File names under scans/, as paths relative to scans/.
i=0
find examples -path '*/scans/*' -type f | sed 's|.*/scans/||' | sort -u | while IFS= read -r n; do
    i=$((i + 1)); printf '%s' "$n" > "$c/matching/name-$i"
done
# Scan files, each behind a selector byte (extension, accepted types, document size).
i=0
for f in examples/zhang-wei/scans/*.png examples/zhang-wei/scans/*.pdf; do
    i=$((i + 1))
    case "$f" in *.png) sel='\002' ;; *) sel='\000' ;; esac
    { printf "$sel"; cat "$f"; } > "$c/scan_content/scan-$i"
done
# A 1x1 baseline JPEG.
{ printf '\001'; echo '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=' | base64 -d; } > "$c/scan_content/jpeg-1x1"
# A real bundle: pack a two-file copy of the example (small, so mutations reach the tag files).
if [ -x "${DOSSIER:-}" ]; then
    t=$(mktemp -d)
    cp -r examples/zhang-wei "$t/e"
    SOURCE_DATE_EPOCH=1764115200 "$DOSSIER" pack "$t/e" -o "$t/out" >/dev/null || true
    cp "$t"/out/*.zip "$c/verify/" 2>/dev/null || true
    rm -rf "$t"
fi
# A tiny valid bag, so mutations reach the tag-file parsers quickly.
python3 - "$c/verify/tiny-bag.zip" <<'PY'
import hashlib, sys, zipfile
root = "bag-0001/"
data = {"data/01-a.txt": b"hello\n"}
man = "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in data.items())
tags = {"bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": b"Payload-Oxum: 6.1\nBagging-Date: 2026-11-26\n",
        "manifest-sha256.txt": man.encode()}
tm = "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in tags.items())
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n, b in list(tags.items()) + list(data.items()) + [("tagmanifest-sha256.txt", tm.encode())]:
        z.writestr(root + n, b)
PY
