//! The one tokenizer both backends search with: stored text and queries go through it, so
//! SQLite and PostgreSQL match the same words.
//!
//! - A **word** is a run of letters, digits and private-use characters (with the marks that
//!   follow them). It is folded: compatibility-decomposed (NFKD), marks dropped (so `café`,
//!   `CAFÉ` and `cafe` are one word), lowercased, and a few letters without a decomposition
//!   folded by hand (`ø` → `o`, `ł` → `l`, ...). Words longer than [`MAX_TOKEN_CHARS`] are cut.
//! - A **symbol** (general category `So`: emoji, `©`, `☕`) is a token of its own, so `thanks🙏`
//!   is two tokens. Emoji modifiers, variation selectors, keycaps and joiners that follow it
//!   belong to its span but not to the token (`👍🏽` is searched as `👍`).
//! - Everything else (spaces, punctuation, math and currency signs, controls) separates.

use std::ops::Range;

use unicode_normalization::char::decompose_compatible;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Longest folded token kept (characters); longer words are cut to this.
pub(crate) const MAX_TOKEN_CHARS: usize = 64;

/// One token: where it is in the text, and its folded form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range in the text (marks and modifiers that follow included).
    pub span: Range<usize>,
    /// The folded form that is indexed and matched.
    pub norm: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Symbol,
    /// Marks, emoji modifiers, joiners: extend the token before them, never start one.
    Extend,
    Separator,
}

fn class(c: char) -> Class {
    if c.is_ascii() {
        // The fast path: ASCII letters and digits are words, everything else separates.
        return if c.is_ascii_alphanumeric() {
            Class::Word
        } else {
            Class::Separator
        };
    }
    if matches!(
        c,
        '\u{200D}' | '\u{FE0E}' | '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}'
    ) || ('\u{E0020}'..='\u{E007F}').contains(&c)
    {
        return Class::Extend;
    }
    use GeneralCategory as G;
    match c.general_category() {
        G::OtherSymbol => Class::Symbol,
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark => Class::Extend,
        g if is_word_category(g) => Class::Word,
        _ => Class::Separator,
    }
}

/// Letters, numbers and private-use characters.
fn is_word_category(g: GeneralCategory) -> bool {
    use GeneralCategory as G;
    matches!(
        g,
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
            | G::PrivateUse
    )
}

/// Folds a word: NFKD, marks dropped, lowercased, hand folds; `None` when nothing is left.
fn fold_word(raw: &str) -> Option<String> {
    if raw.is_ascii() {
        // NFKD and the hand folds leave ASCII letters and digits as they are.
        let mut out = raw[..raw.len().min(MAX_TOKEN_CHARS)].to_owned();
        out.make_ascii_lowercase();
        return (!out.is_empty()).then_some(out);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = 0;
    for c in raw.chars() {
        decompose_compatible(c, |d| {
            if !is_word_category(d.general_category()) {
                return;
            }
            for l in d.to_lowercase() {
                if chars < MAX_TOKEN_CHARS {
                    match hand_fold(l) {
                        Some(s) => out.push_str(s),
                        None => out.push(l),
                    }
                    chars += 1;
                }
            }
        });
    }
    (!out.is_empty()).then_some(out)
}

/// Lowercase letters with a diacritic that Unicode does not decompose.
fn hand_fold(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'ł' => "l",
        'đ' => "d",
        'ħ' => "h",
        'ı' => "i",
        'ŧ' => "t",
        'ƀ' => "b",
        'ɨ' => "i",
        _ => return None,
    })
}

/// Tokenizes `text` (see the module docs).
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current: Option<(Class, usize)> = None;
    let mut end = 0;
    let flush = |tokens: &mut Vec<Token>, current: &mut Option<(Class, usize)>, end: usize| {
        if let Some((kind, start)) = current.take() {
            let raw = &text[start..end];
            let norm = match kind {
                Class::Word => fold_word(raw),
                _ => raw.chars().next().map(String::from),
            };
            if let Some(norm) = norm {
                tokens.push(Token {
                    span: start..end,
                    norm,
                });
            }
        }
    };
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        match class(c) {
            Class::Word => {
                if !matches!(current, Some((Class::Word, _))) {
                    flush(&mut tokens, &mut current, end);
                    current = Some((Class::Word, i));
                }
                end = next;
            }
            Class::Symbol => {
                flush(&mut tokens, &mut current, end);
                current = Some((Class::Symbol, i));
                end = next;
            }
            Class::Extend => {
                if current.is_some() {
                    end = next;
                }
            }
            Class::Separator => flush(&mut tokens, &mut current, end),
        }
    }
    flush(&mut tokens, &mut current, end);
    tokens
}

/// Most tokens of one message that are indexed (PostgreSQL's last word position).
pub(crate) const MAX_INDEXED_TOKENS: usize = 16_383;
/// Most bytes of tokens of one message that are indexed (PostgreSQL caps a `tsvector` at 1 MB).
pub(crate) const MAX_INDEXED_BYTES: usize = 256 * 1024;

/// The tokens of a message that are indexed: its folded tokens, the first
/// [`MAX_INDEXED_TOKENS`] of them and at most [`MAX_INDEXED_BYTES`] (X caps a DM at 10,000
/// characters; only a longer message from another server is cut).
pub(crate) fn indexed_tokens(text: &str) -> Vec<String> {
    let mut bytes = 0;
    tokenize(text)
        .into_iter()
        .map(|t| t.norm)
        .take(MAX_INDEXED_TOKENS)
        .take_while(|t| {
            bytes += t.len() + 1;
            bytes <= MAX_INDEXED_BYTES
        })
        .collect()
}

/// The folded tokens of `text`, in order.
pub(crate) fn folded_tokens(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.norm).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        folded_tokens(s)
    }

    #[test]
    fn words_are_folded() {
        assert_eq!(norms("Café CRÈME brûlée"), ["cafe", "creme", "brulee"]);
        assert_eq!(
            norms("naïve Ørsted Łódź straße"),
            ["naive", "orsted", "lodz", "straße"]
        );
        assert_eq!(norms("ﬁne Ｗｉｄｅ ①"), ["fine", "wide", "1"]);
        // A decomposed accent is the same word as a composed one.
        assert_eq!(norms("cafe\u{301}"), norms("café"));
        assert_eq!(norms("Ἀθῆναι Москва"), ["αθηναι", "москва"]);
    }

    #[test]
    fn punctuation_separates_and_ids_are_words() {
        assert_eq!(
            norms("e-mail, o'brien; a*b (c)"),
            ["e", "mail", "o", "brien", "a", "b", "c"]
        );
        assert_eq!(
            norms("944480690-906948460078698496"),
            ["944480690", "906948460078698496"]
        );
        assert_eq!(norms("$100 + 5€ = ?"), ["100", "5"]);
        assert!(norms("\" ' -- ; \\ \u{0} \u{200b} \u{feff}").is_empty());
    }

    #[test]
    fn emoji_are_tokens_of_their_own() {
        let t = tokenize("thanks🙏 👍🏽 ☕☕ 👩\u{200d}💻");
        let n: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(n, ["thanks", "🙏", "👍", "☕", "☕", "👩", "💻"]);
        let s = "x 👍🏽 y";
        let thumb = &tokenize(s)[1];
        assert_eq!(
            &s[thumb.span.clone()],
            "👍🏽",
            "the modifier belongs to the span"
        );
    }

    #[test]
    fn long_words_are_cut_and_spans_are_char_boundaries() {
        let long = "a".repeat(500);
        assert_eq!(norms(&long)[0].chars().count(), MAX_TOKEN_CHARS);
        let text = "é\u{301}\u{301}x ☕\u{fe0f}\u{fe0f} \u{301}lone";
        for t in tokenize(text) {
            assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
        }
    }
}
