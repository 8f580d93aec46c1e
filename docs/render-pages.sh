#!/usr/bin/env bash
# Renders every document of a finished Ngronggot run (one rejection at step 9, a note with a
# kept file) and the SOP AP documents of both seeds to PDF, converts the .docx of the SOP and of the undangan to PDF with
# LibreOffice headless, and writes page images into docs/ (the README shows them).
# Needs: the `pdf` extra (WeasyPrint), LibreOffice and poppler-utils
#   (apt-get install -y libreoffice-writer-nogui poppler-utils). Not run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
SOP="${SOP:-.venv/bin/sop}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOP_HOME="$work/home" SOP_USER=planner SOP_NOW="2026-12-10T10:00"
N=nganjuk/kecamatan-ngronggot/renja
L=lampung-tengah/diskominfo/renja
$SOP start $N --year 2027 --at "2026-11-23 08:00" --assign "sekretaris=Drs. SUGENG RAHARJO, M.Si" \
    --assign "kasubag-perencanaan=SITI AMINAH, S.E." >/dev/null
for at in "2026-11-23 08:05" "2026-11-23 09:30" "2026-11-23 09:40" "2026-11-23 10:00" "2026-11-23 13:30" \
          "2026-11-23 15:30" "2026-11-25 10:00" "2026-11-26 09:00"; do
  $SOP advance --at "$at" >/dev/null
done
$SOP advance --at "2026-11-26 10:30" --reject --reason "Target belum sesuai RKPD" >/dev/null
$SOP advance --at "2026-11-27 09:00" >/dev/null
$SOP advance --at "2026-11-27 10:00" --approve >/dev/null
for at in "2026-11-27 10:10" "2026-11-27 10:20" "2026-11-27 10:30" "2026-11-27 11:00" "2026-11-27 11:10"; do
  $SOP advance --run renja-2027 --at "$at" >/dev/null
done
echo "%PDF-1.4 daftar hadir" > "$work/daftar-hadir.pdf"
$SOP note --run renja-2027 "Dokumen final diserahkan ke BAPPEDA" --attach "$work/daftar-hadir.pdf" \
    --at "2026-11-27 11:10" >/dev/null
cat > "$work/nilai.yaml" <<'YAML'
surat: {dari: Bupati Nganjuk, nomor: 050/1234/411.403/2026, tanggal: 2026-11-20}
undangan: {nomor: 005/87/411.512/2026}
kepada: [Kepala Seksi Pemerintahan, Kepala Seksi Trantib, Kepala Subbagian Umum dan Kepegawaian]
rapat: {tanggal: 2026-11-24, waktu: "09.30", tempat: Aula Kantor Kecamatan Ngronggot}
pengantar: {nomor: 050/99/411.512/2026}
seksi: [Seksi Pemerintahan]
YAML
out="$work/out"
mkdir -p "$out"
$SOP render sop $N --out "$out/sop-nganjuk-renja.pdf" >/dev/null
$SOP render sop $L --out "$out/sop-lampung-renja.pdf" >/dev/null
$SOP render sop $N --out "$out/sop-nganjuk-renja.docx" >/dev/null
for doc in disposisi format-data undangan persetujuan pengantar; do
  $SOP render $doc --run renja-2027 --values "$work/nilai.yaml" --out "$out/$doc-nganjuk.pdf" >/dev/null
done
$SOP render undangan --run renja-2027 --values "$work/nilai.yaml" --out "$out/undangan-nganjuk.docx" >/dev/null
$SOP report --run renja-2027 --out "$out/laporan.pdf" >/dev/null
$SOP report --run renja-2027 --monitoring --out "$out/monitoring.pdf" >/dev/null
(cd "$out" && soffice --headless --convert-to pdf:writer_pdf_Export --outdir "$out/lo" ./*.docx >/dev/null 2>&1)
mv "$out/lo/sop-nganjuk-renja.pdf" "$out/sop-nganjuk-renja-docx.pdf"
mv "$out/lo/undangan-nganjuk.pdf" "$out/undangan-nganjuk-docx.pdf"
for pdf in "$out"/*.pdf; do
  name="$(basename "$pdf" .pdf)"
  pages="$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')"
  for ((page = 1; page <= pages; page++)); do
    if [ -z "$(pdftotext -f $page -l $page "$pdf" - | tr -d '[:space:]')" ]; then
      echo "BLANK PAGE: $name page $page" >&2
    fi
  done
  echo "$name: $pages page(s)"
  first=1
  [ "$name" = sop-nganjuk-renja-docx ] && first=2  # the flowchart drawn with Word shapes, beside the PDF's
  pdftoppm -png -r 60 -f $first -l $first -singlefile "$pdf" "docs/$name"
  case "$name" in
    sop-*-renja | laporan | monitoring)
      for ((page = 2; page <= pages; page++)); do
        pdftoppm -png -r 60 -f $page -l $page -singlefile "$pdf" "docs/$name-$page"
      done ;;
  esac
done
