"""A stand-in for a real 12-megapixel phone photo of a document, made in about a second instead of kept in the
repository: 4000 × 3000 pixels, a printed page with lines of text lying on a grainy table under uneven light,
sensor noise over everything, saved as a phone saves it (JPEG quality 92, 4:2:0, EXIF with the camera's make,
model and orientation). About 4 MB, like the 3–5 MB photos residents send.

`python -m tests.phone_photo OUT.jpg [--orientation 6]` writes one; the browser tests and `bench/upload.py` call
`phone_photo()`.
"""

from __future__ import annotations

import argparse
import random
from io import BytesIO

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 4000, 3000  # as the sensor reads it (landscape), before the EXIF orientation is applied
QUALITY = 92
WORDS = ("KARTU", "KELUARGA", "NIK", "Nama", "Lengkap", "Jenis", "Kelamin", "Tempat", "Lahir", "Agama", "Islam",
         "Pendidikan", "Pekerjaan", "Wiraswasta", "REMBANG", "Kecamatan", "Sumber", "Desa", "Ronggo", "Mulyo",
         "RT", "RW", "3317014101900001", "Kepala", "Keluarga", "Istri", "Anak", "Belum", "Kawin", "WNI")


def phone_photo(orientation: int = 1, seed: int = 12) -> bytes:
    """Return the JPEG bytes of the photo; `orientation` is its EXIF orientation: 1, the phone held sideways;
    6, held upright, so that the sensor's pixels lie on their side and a viewer turns them 90° clockwise to see
    the page upright in a 3000 × 4000 picture."""
    rng = random.Random(seed)
    size = (HEIGHT, WIDTH) if orientation == 6 else (WIDTH, HEIGHT)  # the scene as the viewer sees it
    image = _lit_table(size)
    page = _page(rng)
    image.paste(page, ((size[0] - page.width) // 2, (size[1] - page.height) // 2))
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)  # as the sensor read it
    image = ImageChops.add(image, _grain(), scale=1.0, offset=-128)  # sensor noise around each pixel's value
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Samsung", "Galaxy A15", orientation  # Make, Model, Orientation
    output = BytesIO()
    image.save(output, "JPEG", quality=QUALITY, subsampling="4:2:0", exif=exif)
    return output.getvalue()


def _grain() -> Image.Image:
    """Return grey sensor noise around 128 (sigma 4) the size of the photo: a quarter-size tile repeated, as
    costly for the JPEG as noise everywhere and a sixteenth of the time to make."""
    tile = Image.effect_noise((WIDTH // 4, HEIGHT // 4), 4)
    grain = Image.new("L", (WIDTH, HEIGHT))
    for x in range(0, WIDTH, tile.width):
        for y in range(0, HEIGHT, tile.height):
            grain.paste(tile, (x, y))
    return Image.merge("RGB", [grain] * 3)


def _lit_table(size: tuple[int, int]) -> Image.Image:
    """Return a wooden-looking table of `size` under light that fades from one corner."""
    small = (size[0] // 8, size[1] // 8)
    table = Image.merge("RGB", [Image.effect_noise(small, 30).point(lambda v, k=k: v * k)
                                for k in (0.9, 0.65, 0.45)]).filter(ImageFilter.GaussianBlur(1))
    light = Image.radial_gradient("L").crop((64, 85, 192, 181)).resize(small).point(lambda v: v // 3)
    lit = ImageChops.subtract(table, Image.merge("RGB", [light] * 3))
    return lit.resize(size, Image.Resampling.BICUBIC)


def _page(rng: random.Random) -> Image.Image:
    """Return a printed form: a title, a table of ruled rows, and rows of words and numbers."""
    page = Image.new("RGB", (2900, 2450), (236, 233, 222))
    draw = ImageDraw.Draw(page)
    title = ImageFont.load_default(size=96)
    text = ImageFont.load_default(size=46)
    draw.text((820, 80), "KARTU KELUARGA", font=title, fill=(30, 30, 40))
    draw.text((900, 200), "No. 3317010101200001", font=text, fill=(40, 40, 50))
    for row in range(34):
        y = 320 + row * 62
        draw.line((60, y, 2840, y), fill=(90, 90, 110), width=3)
        x = 80
        while x < 2700:
            word = rng.choice(WORDS)
            draw.text((x, y + 8), word, font=text, fill=(20 + rng.randrange(30), 20, 40))
            x += int(draw.textlength(word, font=text)) + 30 + rng.randrange(40)
    stamp = ImageFont.load_default(size=70)
    draw.ellipse((2200, 2150, 2600, 2430), outline=(60, 60, 170), width=8)
    draw.text((2250, 2250), "DISDUKCAPIL", font=stamp, fill=(60, 60, 170))
    return page.rotate(1.5, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(236, 233, 222))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--orientation", type=int, default=1)
    arguments = parser.parse_args()
    data = phone_photo(arguments.orientation)
    with open(arguments.out, "wb") as out:
        out.write(data)
    print(f"{arguments.out}: {len(data):,} bytes, {WIDTH}x{HEIGHT}, EXIF orientation {arguments.orientation}")


if __name__ == "__main__":
    main()
