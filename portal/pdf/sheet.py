"""The look shared by Loket's A4 list sheets — the batch cover sheet and the collective pickup manifest.

Black on white, the office's name on top, a QR code floated right (34 mm with its quiet zone as white
padding: at least 30 mm scans well from paper), a table whose head repeats on every page and whose lines
stay whole, a tick box per line, signature blocks and page numbers. Each sheet adds its own few rules.
"""

A4_LIST_STYLESHEET = """\
@page { size: A4; margin: 14mm 14mm 16mm;
        @bottom-right { content: counter(page) " / " counter(pages); font: 8pt "DejaVu Sans", sans-serif; } }
html { font-family: "DejaVu Sans", sans-serif; color: #000; font-size: 9.5pt; line-height: 1.35; }
h1, b, th { font-weight: bold; }
.office { border-bottom: 1pt solid #000; padding-bottom: 2.5mm; font-size: 9pt; }
.office b { font-size: 11.5pt; }
.top { display: flow-root; margin-top: 5mm; }
.qr { float: right; width: 50mm; margin-left: 4mm; text-align: center; font-size: 8pt; line-height: 1.25; }
.qr img { display: block; margin: 0 auto; width: 34mm; height: 34mm; padding: 4mm; image-rendering: pixelated; }
.url { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; overflow-wrap: anywhere; }
h1 { font-size: 16pt; margin-bottom: 2mm; }
.k { color: #333; }
table { width: 100%; border-collapse: collapse; margin-top: 5mm; font-size: 8.5pt; line-height: 1.3; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.75pt solid #000; padding: 1.5mm 1.6mm; text-align: left; vertical-align: top; }
th { font-size: 8pt; }
.ref { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; }
.tick { width: 14mm; text-align: center; }
.box { display: inline-block; width: 5mm; height: 5mm; border: 1pt solid #000; }
.sign { margin-top: 12mm; break-inside: avoid; }
.sign p { display: inline-block; width: 49%; vertical-align: top; text-align: center; }
.sign .space { display: block; height: 18mm; }
.note { margin-top: 6mm; font-size: 8.5pt; }
body, p, h1, h2 { margin: 0; }
.row { padding-left: 40mm; text-indent: -40mm; margin-bottom: 1.2mm; }
.row .k { display: inline-block; width: 40mm; text-indent: 0; }
.number, .code { font-family: "DejaVu Sans Mono", monospace; font-size: 24pt; font-weight: bold; line-height: 1.15;
                 margin-bottom: 4mm; }  /* the batch number, the manifest code */
"""
