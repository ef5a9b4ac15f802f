"""From a file's bytes to its text: the size limit, the encoding, and refusing what is not text.

Encodings are tried in the order the format docstring gives (a byte-order mark, strict UTF-8,
strict GB18030); a file damaged by a few bad bytes is refused naming the first one, since in
GBK one bad byte can silently turn the rest of its line into other characters. Text that holds
NUL or is mostly control characters is refused too. Everything after this works on `str`.
"""

import codecs
import re

from .values import LegacyFormatError

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
MAX_DAMAGED_BYTES = 8
DAMAGED_LABELS = {"utf-8": "UTF-8", "gb18030": "GB18030（GBK）"}
DAMAGE_EFFECTS = {
    "utf-8": "这一处的字已经读不出来",
    "gb18030": "在 GBK 中这样的字节会让同一行后面的字被读成别的字",
}
# Control characters (Unicode category Cc) a text file should not carry.
STRAY_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b\x1f\x7f-\x84\x86-\x9f]")

BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE（带 BOM）"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE（带 BOM）"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8（带 BOM）"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE（带 BOM）"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE（带 BOM）"),
]


def read_source(source: bytes | str, max_bytes: int) -> tuple[str, str]:
    """The text of a file (bytes, or text already decoded) and a label for its encoding; refuses what is no text."""
    size = len(source.encode("utf-8", "surrogatepass")) if isinstance(source, str) else len(source)
    if size > max_bytes:
        raise LegacyFormatError(f"文件过大：{size / 1024 / 1024:.1f} MB，上限是 {max_bytes / 1024 / 1024:.1f} MB。")
    if isinstance(source, str):
        text, encoding = source.removeprefix("\ufeff"), "文本"
    else:
        if not source.strip():
            raise LegacyFormatError("文件是空的。")
        text, encoding = decode(source)
    text = text.rstrip("\x1a")
    if not text.strip():
        raise LegacyFormatError("文件是空的。")
    if "\x00" in text:
        raise LegacyFormatError("文本中含有空字符（NUL），不是可导入的文本。")
    return text, encoding


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and a label for the encoding used (BOM, then UTF-8, then GB18030)."""
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise LegacyFormatError(
                    f"文件开头标明是 {label}，但第 {exc.start} 字节起的内容无法按此编码读取。"
                ) from exc
            return _refuse_binary(text), label
    if b"\x00" in data:
        # Without a BOM a NUL byte decodes to U+0000 in UTF-8 and GB18030 alike: say why at once.
        _refuse_binary("\x00")
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return _refuse_binary(data.decode(codec)), label
        except UnicodeDecodeError as exc:
            if _damaged(data, codec):
                raise _damage(data, codec, DAMAGED_LABELS[codec], exc.start) from exc
    raise LegacyFormatError(
        "无法识别文件编码：既不是 UTF-8，也不是 GB18030/GBK，可能不是文本文件。请另存为 UTF-8 后再导入。"
    )


def _damaged(data: bytes, codec: str) -> bool:
    """Whether `data` is text in `codec` but for a few bad bytes (rather than text in another encoding)."""
    text = data.decode(codec, "replace")
    bad = text.count("\ufffd")
    wide = len(text) - len(text.encode("ascii", "ignore")) - bad
    return 0 < bad <= MAX_DAMAGED_BYTES and wide >= 20 * bad


def _damage(data: bytes, codec: str, label: str, offset: int) -> LegacyFormatError:
    before = data[:offset].decode(codec, "replace").replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    column = len(before) - before.rfind("\n")
    return LegacyFormatError(
        f"文件的编码是 {label}，但第 {column} 个字处（文件第 {offset + 1} 个字节，0x{data[offset]:02X}）"
        f"有无法识别的字节，文件可能已损坏。{DAMAGE_EFFECTS[codec]}，所以不导入。"
        "请用记事本等打开文件，改正这一处后另存为 UTF-8 再导入。",
        line=line,
    )


def _refuse_binary(text: str) -> str:
    if "\x00" in text:
        raise LegacyFormatError(
            "文件中含有空字符（NUL），可能是不带 BOM 的 UTF-16 文件或二进制文件。请另存为 UTF-8 后再导入。"
        )
    controls = len(STRAY_CONTROLS.findall(text))
    if controls and controls * 200 > len(text):
        raise LegacyFormatError("文件中含有大量控制字符，像是二进制文件而不是文本。")
    return text
