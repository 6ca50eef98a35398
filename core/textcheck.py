"""Free-text answers: cleaning, length limits, names of people and organisations,
and making text safe for spreadsheet cells."""

from __future__ import annotations

import re
import unicodedata

import regex

from core.errors import (
    InvalidAnswer,
    NameEmpty,
    NameInvalid,
    NameLength,
    OrgEmpty,
    OrgInvalid,
    OrgLength,
    TextEmpty,
    TextTooLong,
    TextTooShort,
)

# Line separators other than \n that chat clients and pasted documents bring along.
_LINE_BREAKS = re.compile(r"\r\n|[\r\u0085\u2028\u2029]")
# Horizontal whitespace: tab plus every Unicode space separator (NBSP, U+3000, thin spaces).
_SPACES = re.compile(r"[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")
# Letters that draw nothing: the Hangul fillers (choseong, jungseong, compatibility and half-width)
# and the blank braille pattern. They pass a "has letters" test and look like spaces, so they are
# made spaces.
_FILLERS = re.compile(r"[\u115f\u1160\u3164\uffa0\u2800]")
# Kangxi radicals and CJK radical supplements: text copied out of PDFs holds them instead of the
# ideographs they look like (⽅⽂ for 方文); NFKC maps them back, wherever the text goes.
_RADICALS = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf]")
# One grapheme cluster (what a reader takes for one character: a base with its combining marks,
# a Hangul syllable, an emoji sequence), after Unicode's rules (UAX #29) as the regex library has them.
_CLUSTER = regex.compile(r"\X")
# A cluster of nothing visible: spaces, fillers, Unicode's default-ignorable code points
# (zero-width characters, variation selectors, ...) and control or format characters.
_INVISIBLE_CLUSTER = regex.compile(r"[\s\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800]+")


def _is_dropped(ch: str) -> bool:
    # Cc: control characters; Cf: zero-width spaces/joiners, BOM, soft hyphen and the bidi
    # overrides that can make an export display something other than what it holds;
    # Cs: lone surrogates from broken decoding, which cannot be stored as UTF-8.
    return ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def clean_text(raw: str, *, multiline: bool = True) -> str:
    """NFC, one kind of line break, no invisible characters (fillers become spaces), Kangxi
    radicals as the ideographs they look like, single spaces, stripped.

    Long answers keep their line breaks (at most one blank line in a row); with
    ``multiline=False`` line breaks become spaces, for one-line fields such as names."""
    text = unicodedata.normalize("NFC", raw)
    text = _LINE_BREAKS.sub("\n", text)
    text = _FILLERS.sub(" ", text)
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = "".join(ch for ch in text if not _is_dropped(ch))
    if not multiline:
        text = text.replace("\n", " ")
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def visible_length(text: str) -> int:
    """How many characters a reader sees: grapheme clusters (UAX #29), not counting spaces,
    line breaks and clusters of invisible characters. ``"e" + 500 combining accents`` is 1,
    ``"张三"`` is 2, four Hangul fillers are 0."""
    return sum(1 for cluster in _CLUSTER.findall(text) if not _INVISIBLE_CLUSTER.fullmatch(cluster))


def visible_prefix(text: str, length: int) -> str:
    """The first ``length`` grapheme clusters of ``text`` (a preview never cuts a character from its
    accents); the whole text when it is no longer."""
    return "".join(_CLUSTER.findall(text)[:length])


def check_length(text: str, min_len: int | None, max_len: int | None) -> str:
    """Clean ``text`` and check its length in characters a reader sees (:func:`visible_length`).

    A text of nothing visible is refused as empty: optional fields are the caller's business.
    Raises :class:`InvalidAnswer` with TextEmpty, TextTooShort or TextTooLong (lengths in characters)."""
    cleaned = clean_text(text)
    length = visible_length(cleaned)
    if length == 0:
        raise InvalidAnswer(TextEmpty())
    if min_len is not None and length < min_len:
        raise InvalidAnswer(TextTooShort(length=length, min=min_len))
    if max_len is not None and length > max_len:
        raise InvalidAnswer(TextTooLong(length=length, max=max_len))
    return cleaned


# --- emoji -------------------------------------------------------------------------------

# Code point ranges that hold emoji and pictographs. Not the full Unicode emoji property
# (which also covers ©, digits and #), but everything that turns a name into a picture.
_EMOJI_RANGES = (
    (0x2300, 0x23FF),  # ⌚ ⏰ ...
    (0x2600, 0x27BF),  # misc symbols, dingbats: ☀ ✅ ❤
    (0x2B00, 0x2BFF),  # ⭐ ⬆ ...
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1FAFF),  # cards, enclosed letters, flags, faces, people, animals, food ...
    (0xFE0F, 0xFE0F),  # emoji presentation selector
    (0x20E3, 0x20E3),  # keycap: 1️⃣
    (0xE0020, 0xE007F),  # tag characters in subdivision flags
)


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _EMOJI_RANGES)


def contains_emoji(text: str) -> bool:
    return any(_is_emoji(ch) for ch in text)


# --- names -------------------------------------------------------------------------------

NAME_DOT = "·"  # U+00B7, the separator in transcribed names: 阿卜杜·热合曼
# Look-alikes people type instead of the dot: bullet, full-width and small full stops, katakana
# middle dots, hyphenation point, dot operators, the sinological dot, ASCII full stop; and the
# hyphens and dashes typed between the parts of a minority name (买买提-艾力): the identity card
# writes every such separator as the middle dot (GB/T 15834 间隔号).
_DOT_LIKE = "•．・･‧∙⋅.﹒ꞏ⸱"
_HYPHEN_LIKE = "-‐‑‒–—―−﹣－⁃ー"
_TO_NAME_DOT = str.maketrans(dict.fromkeys(_DOT_LIKE + _HYPHEN_LIKE, NAME_DOT))
_TO_HYPHEN = str.maketrans(dict.fromkeys(_HYPHEN_LIKE, "-"))
_CJK_RANGES = (
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs (a dozen of them are unified ideographs)
    # Extensions B-J: rare characters do occur in names. Listed by number, not by Unicode
    # category, because Python's character database may predate them (3.11 knows up to G).
    (0x20000, 0x2A6DF),  # B
    (0x2A700, 0x2B73F),  # C
    (0x2B740, 0x2B81F),  # D
    (0x2B820, 0x2CEAF),  # E
    (0x2CEB0, 0x2EBEF),  # F
    (0x2EBF0, 0x2EE5F),  # I
    (0x30000, 0x3134F),  # G
    (0x31350, 0x323AF),  # H
    (0x323B0, 0x3347F),  # J
    (0x3007, 0x3007),  # 〇
)
# Ideographic variation selectors choose a registered glyph of the character before them
# (IVD; U+FE00-FE02 for the standardized variants of compatibility ideographs).
_IDEOGRAPHIC_VARIATION = regex.compile(r"[\ufe00-\ufe02\U000e0100-\U000e01ef]")
CHINESE_NAME_LENGTH = (2, 20)
LATIN_NAME_LENGTH = (2, 60)
ORG_NAME_LENGTH = (2, 100)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN ")


def _chinese_name(text: str) -> str:
    # Chinese names contain no spaces, so "张 三" and "阿卜杜 · 热合曼" lose theirs.
    text = text.replace(" ", "").translate(_TO_NAME_DOT)
    for i, ch in enumerate(text):
        if _IDEOGRAPHIC_VARIATION.fullmatch(ch):
            if i == 0 or not _is_cjk(text[i - 1]):
                raise InvalidAnswer(NameInvalid())
        elif not (_is_cjk(ch) or ch == NAME_DOT):
            raise InvalidAnswer(NameInvalid())
    if text.startswith(NAME_DOT) or text.endswith(NAME_DOT) or NAME_DOT * 2 in text:
        raise InvalidAnswer(NameInvalid())
    low, high = CHINESE_NAME_LENGTH
    length = visible_length(text)
    if not low <= length <= high:
        raise InvalidAnswer(NameLength(length=length, min=low, max=high))
    return text


_LATIN_NAME = re.compile(r"[^\W\d_]+(?:(?:[ \-']|\. ?)[^\W\d_]+)*\.?")


def _latin_name(text: str) -> str:
    # Letters in words joined by single spaces, hyphens, apostrophes (O'Brien) or dots
    # (J. R. Smith); the letters must be Latin so that mixed scripts are refused.
    text = text.replace("’", "'").translate(_TO_HYPHEN)
    if not _LATIN_NAME.fullmatch(text) or not all(_is_latin_letter(ch) for ch in text if ch.isalpha()):
        raise InvalidAnswer(NameInvalid())
    low, high = LATIN_NAME_LENGTH
    length = visible_length(text)
    if not low <= length <= high:
        raise InvalidAnswer(NameLength(length=length, min=low, max=high))
    return text


def person_name(raw: str) -> str:
    """A person's name, Chinese (2-20 characters, with ``·`` between parts of a
    transcribed name) or Latin (2-60 characters). Raises :class:`InvalidAnswer` with NameEmpty,
    NameInvalid or NameLength.

    NFKC first: PDFs and some input methods give Kangxi radicals (``⽅⽂`` for 方文) and
    full-width letters that look right and are other characters. Every dot or hyphen between the
    parts of a Chinese-script name becomes ``·``; in Latin names dashes become ``-``."""
    text = unicodedata.normalize("NFKC", clean_text(raw, multiline=False)).strip()
    if not visible_length(text):
        raise InvalidAnswer(NameEmpty())
    if contains_emoji(text):
        raise InvalidAnswer(NameInvalid())
    if any(_is_cjk(ch) for ch in text):
        return _chinese_name(text)
    return _latin_name(text)


# Punctuation of registered organisation names: 郑州铁路局（集团）、《河南日报》社,
# 郑州地铁“红马甲”志愿服务队, 一汽-大众 with any dash, Foxconn Co., Ltd. & ..., and the
# ASCII forms of quotes, brackets and the slash.
_ORG_PUNCTUATION = frozenset("（）()·-‐‑–—－、《》〈〉“”‘’\"'「」『』.．,，/／&＆ ")
# Full-width punctuation NFKC would make ASCII: Chinese names are written with it, so it stays.
_FULLWIDTH_PUNCTUATION = re.compile(r"[\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


def _compatibility_fold(text: str) -> str:
    """NFKC except for full-width punctuation: Kangxi radicals become ideographs and full-width
    letters and digits ASCII, while （集团） keeps its Chinese brackets."""
    return unicodedata.normalize(
        "NFC",
        "".join(ch if _FULLWIDTH_PUNCTUATION.fullmatch(ch) else unicodedata.normalize("NFKC", ch) for ch in text),
    )


def _org_char_ok(ch: str) -> bool:
    if ch in _ORG_PUNCTUATION:
        return True
    category = unicodedata.category(ch)
    # Letters of any script (CJK are "Lo"), decimal digits, and combining marks that
    # some scripts need; variation selectors are marks too but only dress up emoji.
    # Unassigned ("Cn") ideographs of extensions newer than Python's database are letters too.
    return (
        category[0] == "L"
        or category == "Nd"
        or (category in ("Mn", "Mc") and not _is_emoji(ch))
        or (category == "Cn" and _is_cjk(ch))
    )


def org_name(raw: str) -> str:
    """An organisation's name, 2-100 characters (as :func:`visible_length` counts). Raises
    :class:`InvalidAnswer` with OrgEmpty, OrgInvalid or OrgLength."""
    text = _compatibility_fold(clean_text(raw, multiline=False)).strip()
    if not visible_length(text):
        raise InvalidAnswer(OrgEmpty())
    if contains_emoji(text) or not all(_org_char_ok(ch) for ch in text):
        raise InvalidAnswer(OrgInvalid())
    low, high = ORG_NAME_LENGTH
    length = visible_length(text)
    if not low <= length <= high:
        raise InvalidAnswer(OrgLength(length=length, min=low, max=high))
    return text


# --- spreadsheets ------------------------------------------------------------------------

# Characters that make Excel, WPS or LibreOffice read a cell as a formula (CSV/formula
# injection); the full-width forms are included because some spreadsheet software
# converts them on entry.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(text: str) -> str:
    """Text for a spreadsheet cell that cannot be evaluated: a leading quote
    character neutralises anything that would start a formula."""
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text
