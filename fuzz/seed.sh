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
# Scanned PDFs whose page is a Flate image (grey with PNG "Up" rows; 1-bit), small.
python3 - "$c/scan_content" <<'PY'
import sys, zlib
out = sys.argv[1]
def pdf(dict_, data):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>"]
    c = b"q 72 0 0 72 0 0 cm /Im0 Do Q"
    objs.append(b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream")
    objs.append(b"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 " + dict_ + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    o = b"%PDF-1.4\n"; offs = []
    for i, ob in enumerate(objs):
        offs.append(len(o)); o += b"%d 0 obj\n" % (i + 1) + ob + b"\nendobj\n"
    x = len(o); o += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for f in offs: o += b"%010d 00000 n \n" % f
    return o + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
rows = b"".join(b"\x02" + bytes((x * 7 + y) % 256 for x in range(16)) for y in range(16))
open(out + "/flate-grey", "wb").write(b"\x00" + pdf(b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 16 >>", zlib.compress(rows)))
bits = b"\xff\xff" * 16
open(out + "/flate-1bit", "wb").write(b"\x00" + pdf(b"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode", zlib.compress(bits)))
PY
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
