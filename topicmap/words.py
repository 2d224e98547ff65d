"""The words of a text, for terms: the term pattern's, and Japanese and Chinese cut into words.

Japanese and Chinese write no spaces, so the term pattern took whole clauses for words: 3,000
Japanese descriptions were labelled "このタスクパッケージは · debian デスクトップをインストールするのに
使われます", Chinese ones "qt · 可以提供标准的图形界面功能 · 应用程序框架". A text is Japanese when kana
are a tenth of its letters; it is split where the script changes (a run of kanji or of katakana is a
word, hiragana are particles and endings between words). A text is Chinese when hanzi are a tenth of
its letters and it has no kana; rjieba (jieba's dictionary and HMM, in Rust) cuts it into words. A
few hanzi in another language ("青空文庫" in an English description) stay as written.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["TOKEN_PATTERN", "Script", "literal_words", "script_of", "term_words", "words_in"]

TOKEN_PATTERN = r"(?u)\b[^\W\d_]\w+\b"
"""Words of two or more characters that start with a letter: drops bare numbers."""
WORD = re.compile(TOKEN_PATTERN)

Script = Literal["ja", "zh"]
"""A script whose words have no spaces between them, by the ISO 639-1 code of its language."""

_HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々"
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HIRAGANA = "\u3040-\u309f"
HANZI = re.compile(f"[{_HANZI}]")
KANA = re.compile(f"[{_HIRAGANA}{_KATAKANA}]")
_EAST_ASIAN = re.compile(f"[{_HIRAGANA}{_KATAKANA}{_HANZI}]")
_HIRAGANA_RUN = re.compile(f"[{_HIRAGANA}]+")
_JAPANESE_PIECE = re.compile(
    f"[{_HANZI}]+"  # kanji: a compound ("線形代数", "開発用")
    f"|[{_KATAKANA}]+"  # katakana: a word, mostly a loanword ("ライブラリ")
    f"|[{_HIRAGANA}]+"  # hiragana: particles and endings ("の", "を", "しています"), between words
    f"|[^{_HIRAGANA}{_KATAKANA}{_HANZI}]+"  # Latin letters, digits
)
SHARE = 0.1
"""Kana (or hanzi) a text's letters must hold for it to be Japanese (or Chinese)."""


def script_of(text: str) -> Script | None:
    """ "ja" when kana are a tenth of the text's letters, "zh" when hanzi are (and no kana), else None."""
    if not _EAST_ASIAN.search(text):  # one scan of every other text: this runs for each document
        return None
    letters = sum(character.isalpha() for character in text)
    kana = len(KANA.findall(text))
    if kana >= SHARE * letters:
        return "ja"
    return "zh" if not kana and len(HANZI.findall(text)) >= SHARE * letters else None


def literal_words(text: str) -> list[str]:
    """The words of a text as written: the term pattern's; Japanese and Chinese cut into words, their
    particles and one-character words kept (two words with a particle between them do not stand
    together)."""
    return words_in(text, script_of(text))


def words_in(text: str, script: Script | None) -> list[str]:
    """:func:`literal_words` of a piece of a text whose script (:func:`script_of`) is ``script``."""
    words = WORD.findall(text)
    if script is None:
        return words
    cut = _japanese_words if script == "ja" else _chinese_words
    return [piece for word in words for piece in (cut(word) if KANA.search(word) or HANZI.search(word) else [word])]


def term_words(text: str, script: Script | None) -> list[str]:
    """:func:`words_in` with "" for a particle or a one-character word: a break between terms."""
    return [word if len(word) > 1 and not _HIRAGANA_RUN.fullmatch(word) else "" for word in words_in(text, script)]


def _japanese_words(word: str) -> list[str]:
    pieces: list[str] = []
    for piece in _JAPANESE_PIECE.findall(word):
        pieces += [piece] if KANA.search(piece) or HANZI.search(piece) else WORD.findall(piece)
    return pieces


def _chinese_words(word: str) -> list[str]:
    import rjieba  # loaded only for Chinese text

    pieces: list[str] = []
    for piece in rjieba.cut(word):
        pieces += [piece] if HANZI.search(piece) else WORD.findall(piece)
    return pieces
