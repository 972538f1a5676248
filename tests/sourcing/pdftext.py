"""The text of a PDF that WeasyPrint wrote, for tests (no PDF library is installed): the content
streams' hex glyph strings decoded through each font's ToUnicode map. Enough for our own files."""

from __future__ import annotations

import re
import zlib


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Object number → body, including objects packed in object streams."""
    objs: dict[int, bytes] = {}
    for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S):
        objs[int(m.group(1))] = m.group(2)
    for num, body in list(objs.items()):
        if b"/ObjStm" in body:
            data = _stream(body)
            header_n = int(re.search(rb"/N (\d+)", body).group(1))
            first = int(re.search(rb"/First (\d+)", body).group(1))
            nums = list(map(int, data[:first].split()))
            pairs = [(nums[i], nums[i + 1]) for i in range(0, 2 * header_n, 2)]
            for i, (onum, off) in enumerate(pairs):
                end = pairs[i + 1][1] if i + 1 < len(pairs) else len(data) - first
                objs[onum] = data[first + off : first + end]
    return objs


def _stream(body: bytes) -> bytes:
    m = re.search(rb"stream\r?\n(.*)endstream", body, re.S)
    if not m:
        return b""
    raw = m.group(1)
    if b"/FlateDecode" in body:
        try:
            return zlib.decompressobj().decompress(raw)
        except zlib.error:
            return b""
    return raw


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = base[:-1] + chr(ord(base[-1]) + i)
    return out


def pdf_text(pdf: bytes) -> str:
    objs = _objects(pdf)
    # Font resource name → ToUnicode map, from every resource dictionary.
    fonts: dict[bytes, dict[int, str]] = {}
    font_dicts = []
    for body in objs.values():
        font_dicts += re.findall(rb"/Font\s*<<(.*?)>>", body, re.S)
        font_dicts += [objs.get(int(n), b"") for n in re.findall(rb"/Font\s+(\d+) 0 R", body)]
    for fdict in font_dicts:
        if True:
            for name, ref in re.findall(rb"/(\w+)\s+(\d+) 0 R", fdict):
                font = objs.get(int(ref), b"")
                tu = re.search(rb"/ToUnicode (\d+) 0 R", font)
                if tu:
                    fonts[name] = _cmap(_stream(objs.get(int(tu.group(1)), b"")))
    text = []
    for body in objs.values():
        data = _stream(body)
        if b"Tf" not in data or b"BT" not in data:
            continue
        current: dict[int, str] = {}
        for tok in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|(T\*|ET|Td|TD)", data):
            if tok.group(1):
                current = fonts.get(tok.group(1), {})
            elif tok.group(2) is not None:
                hexs = tok.group(2).decode()
                width = 4
                text.append(
                    "".join(current.get(int(hexs[i : i + width], 16), "") for i in range(0, len(hexs), width))
                )
            else:
                text.append(" " if tok.group(3) != b"ET" else "\n")
    # Strings in dictionaries (outline titles, the document title, alternate texts), UTF-16 or plain.
    for body in objs.values():
        if b"stream" in body:
            continue
        for hexs in re.findall(rb"<(feff[0-9A-Fa-f]*)>", body, re.I):
            text.append("\n" + bytes.fromhex(hexs.decode()[4:]).decode("utf-16-be", "replace"))
        for lit in re.findall(rb"\(((?:[^()\\]|\\.)*)\)", body):
            text.append("\n" + lit.decode("latin-1"))
    return "".join(text)
