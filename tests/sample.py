"""A small valid SOP file for tests, and helpers to break it on purpose."""

VALID = """\
id: uji
nama: Prosedur Uji
organisasi:
  id: kantor-uji
  wilayah: kabupaten-uji
  pemerintah: Pemerintah Kabupaten Uji
  nama: Kantor Uji
  alias: [uji]
disahkan_oleh:
  jabatan: Kepala Kantor Uji
  nama: BUDI SANTOSO, S.E.
  pangkat: Pembina (IV/a)
  nip: "19700101 199503 1 002"
dasar_hukum: [Peraturan Bupati Uji Nomor 1 Tahun 2024]
kualifikasi_pelaksana: [Memahami perencanaan]
keterkaitan: [SOP Rapat]
peralatan_perlengkapan: [Komputer]
peringatan: [Renja terlambat]
pencatatan_pendataan: [Buku agenda]
pelaksana:
  - id: kepala
    nama: Kepala
  - id: staf
    nama: Staf
langkah:
  - no: 1
    kegiatan: Memerintahkan penyusunan
    pelaksana: [kepala]
    asal_pelaksana: sumber
    simbol: mulai
    kelengkapan: Disposisi
    waktu: 5 menit
    output: Disposisi
  - no: 2
    kegiatan: Menyusun konsep
    pelaksana: [staf]
    asal_pelaksana: sumber
    kelengkapan: Data
    waktu: 1 hari
    output: Konsep
  - no: 3
    kegiatan: Memeriksa konsep
    pelaksana: [kepala]
    asal_pelaksana: sumber
    simbol: keputusan
    ya: 4
    tidak: 2
    kelengkapan: Konsep
    waktu: 1 jam
    output: Dokumen
  - no: 4
    kegiatan: Mengirim dokumen
    pelaksana: [staf]
    asal_pelaksana: sumber
    simbol: selesai
    kelengkapan: Dokumen
    waktu: 15 menit
    output: Surat pengantar
"""


def replace(old: str, new: str, text: str = VALID) -> str:
    """VALID with one exact fragment replaced (fails loudly if the fragment is not there)."""
    assert old in text, old
    return text.replace(old, new, 1)
