"""Make the receipt's fonts: DejaVu Sans and DejaVu Sans Bold cut down to the Latin letters and punctuation.

Run from the repository root: `.venv/bin/python scripts/pdf_fonts.py [DEJAVU_FOLDER]` (default
/usr/share/fonts/truetype/dejavu, from Debian's `fonts-dejavu-core`). It writes `portal/pdf/fonts/*.ttf`,
which are committed, so the portal does not run this.

Why: WeasyPrint reads and subsets every font a PDF uses on every render, and that cost grows with the font
file. The full DejaVu Sans (760 KB) costs the receipt about 1.5 ms more than these 50 KB files
(bench/receipt.py). A character outside them (a name in another script) still prints: the stylesheet lists
the full "DejaVu Sans" next, and Pango falls back to it for that character.

The Bitstream Vera licence of DejaVu allows modified copies whose names contain neither "Bitstream" nor
"Vera"; the files keep DejaVu's copyright and licence text (portal/pdf/fonts/LICENSE).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

OUT = Path(__file__).resolve().parents[1] / "portal" / "pdf" / "fonts"
FACES = {"DejaVuSans.ttf": "DejaVuSans-Latin.ttf", "DejaVuSans-Bold.ttf": "DejaVuSans-Bold-Latin.ttf"}
# Basic Latin, Latin-1, Latin Extended-A (names such as "Ṡ" fall back), dashes, quotes, bullet, ellipsis,
# per mille and guillemets, euro, trade mark, minus sign.
UNICODES = "U+0020-007E,U+00A0-017F,U+2010-2027,U+2030-203A,U+20AC,U+2122,U+2212"


def main() -> int:
    """Write the subset fonts; return 0, or 1 when a source font is missing."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/truetype/dejavu")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, out_name in FACES.items():
        path = source / name
        if not path.exists():
            print(f"{path} is missing: apt-get install fonts-dejavu-core", file=sys.stderr)
            return 1
        options = subset.Options()
        options.layout_features = ["kern", "liga", "ccmp", "locl", "mark", "mkmk"]
        options.name_IDs = ["*"]  # keep copyright, licence and names
        options.notdef_outline = True
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        subset.save_font(font, str(OUT / out_name), options)
        print(f"{OUT / out_name}: {(OUT / out_name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
