//! [`Snippet`]: the part of a message around its matches, with the matches marked. Made here,
//! from the stored text and the query's terms, so both backends give the same snippets.

use std::ops::Range;

use super::query::Terms;
use super::tokenize::{Token, tokenize};

/// Messages up to this many characters are shown whole.
const WHOLE_UP_TO: usize = 160;
/// Tokens shown around the best match otherwise (before + after).
const WINDOW: usize = 24;
/// Marks an elided start or end.
const ELLIPSIS: &str = "…";

/// A piece of a message with the matched words marked.
///
/// `text` is on one line (line breaks and tabs become spaces); `marks` are byte ranges into
/// `text`, in order and not overlapping. [`Snippet::marked`] renders them with markers of
/// your choice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snippet {
    /// The text shown (`…` where the message was cut).
    pub text: String,
    /// Byte ranges of `text` that matched the query.
    pub marks: Vec<Range<usize>>,
}

impl Snippet {
    /// The text with every match wrapped in `open` and `close` (e.g. `"\x1b[1m"`, `"\x1b[0m"`,
    /// or `"[", "]"`).
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.marks.len() * 8);
        let mut at = 0;
        for m in &self.marks {
            // Marks are made on char boundaries; `get` keeps a bad range from panicking.
            let (Some(before), Some(inner)) =
                (self.text.get(at..m.start), self.text.get(m.clone()))
            else {
                continue;
            };
            out.push_str(before);
            out.push_str(open);
            out.push_str(inner);
            out.push_str(close);
            at = m.end;
        }
        out.push_str(self.text.get(at..).unwrap_or(""));
        out
    }

    /// The matched pieces of text, in order.
    pub fn matches(&self) -> impl Iterator<Item = &str> {
        self.marks.iter().filter_map(|m| self.text.get(m.clone()))
    }
}

/// Token index ranges where a term matches.
fn matches(tokens: &[Token], terms: &Terms) -> Vec<(usize, Range<usize>)> {
    let mut found = Vec::new();
    for (t, phrase) in terms.0.iter().enumerate() {
        if phrase.is_empty() || phrase.len() > tokens.len() {
            continue;
        }
        for start in 0..=tokens.len() - phrase.len() {
            if tokens[start..start + phrase.len()]
                .iter()
                .zip(phrase)
                .all(|(tok, want)| &tok.norm == want)
            {
                found.push((t, start..start + phrase.len()));
            }
        }
    }
    found.sort_by_key(|(_, r)| (r.start, r.end));
    found
}

/// The snippet of `text` for `terms`.
pub(crate) fn snippet(text: &str, terms: &Terms) -> Snippet {
    let tokens = tokenize(text);
    let found = matches(&tokens, terms);
    let (from, to) = if text.chars().count() <= WHOLE_UP_TO || tokens.len() <= WINDOW {
        (0, text.len())
    } else {
        let first = best_window_start(&found, terms.0.len(), tokens.len());
        let last = (first + WINDOW).min(tokens.len());
        let from = if first == 0 {
            0
        } else {
            tokens[first].span.start
        };
        let to = if last == tokens.len() {
            text.len()
        } else {
            tokens[last - 1].span.end
        };
        (from, to)
    };
    let prefix = if from > 0 { ELLIPSIS } else { "" };
    let suffix = if to < text.len() { ELLIPSIS } else { "" };
    let body: String = text[from..to]
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let shift = prefix.len();
    let mut marks: Vec<Range<usize>> = Vec::new();
    for (_, r) in &found {
        let (start, end) = (tokens[r.start].span.start, tokens[r.end - 1].span.end);
        if start < from || end > to {
            continue;
        }
        let m = (start - from + shift)..(end - from + shift);
        match marks.last_mut() {
            Some(last) if m.start < last.end => last.end = last.end.max(m.end),
            _ => marks.push(m),
        }
    }
    Snippet {
        text: format!("{prefix}{body}{suffix}"),
        marks,
    }
}

/// The first token of the window of [`WINDOW`] tokens that shows the most distinct terms
/// (earliest on ties), starting a few tokens before its first match.
fn best_window_start(found: &[(usize, Range<usize>)], terms: usize, tokens: usize) -> usize {
    let lead = WINDOW / 4;
    let mut best = (0, 0usize);
    for (_, r) in found {
        let start = r.start.saturating_sub(lead);
        let end = start + WINDOW;
        let mut seen = vec![false; terms];
        for (t, q) in found {
            if q.start >= start && q.end <= end {
                seen[*t] = true;
            }
        }
        let distinct = seen.iter().filter(|s| **s).count();
        if distinct > best.1 {
            best = (start, distinct);
        }
    }
    best.0.min(tokens.saturating_sub(WINDOW))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_whole_with_marks() {
        let s = snippet("Un café, s'il vous plaît ☕!", &Terms::parse("cafe ☕"));
        assert_eq!(s.marked("[", "]"), "Un [café], s'il vous plaît [☕]!");
        assert_eq!(s.matches().collect::<Vec<_>>(), ["café", "☕"]);
    }

    #[test]
    fn phrases_merge_into_one_mark() {
        let s = snippet("see the big\nred dog", &Terms::parse("\"big red\""));
        assert_eq!(s.marked("<", ">"), "see the <big red> dog");
    }

    #[test]
    fn long_text_is_cut_around_the_match() {
        let text = format!("{} needle {}", "word ".repeat(100), "tail ".repeat(100));
        let s = snippet(&text, &Terms::parse("NEEDLE"));
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert_eq!(s.matches().collect::<Vec<_>>(), ["needle"]);
        assert!(s.text.len() < 200, "{}", s.text);
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_text_and_query_give_a_well_formed_snippet(text in "\\PC{0,400}", query in "\\PC{0,40}") {
            let terms = Terms::parse(&query);
            let s = snippet(&text, &terms);
            let mut end = 0;
            for m in &s.marks {
                prop_assert!(m.start >= end && m.start < m.end && m.end <= s.text.len());
                prop_assert!(s.text.is_char_boundary(m.start) && s.text.is_char_boundary(m.end));
                end = m.end;
            }
            // Every term found in the text is marked in a whole-text snippet.
            if text.chars().count() <= WHOLE_UP_TO {
                let found = super::matches(&tokenize(&text), &terms);
                prop_assert_eq!(found.is_empty(), s.marks.is_empty());
            }
        }
    }
}
