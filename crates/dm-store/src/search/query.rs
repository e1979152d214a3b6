//! The user's search text → terms, and terms → each backend's query language, escaped.
//!
//! Syntax (nothing else is special): words separated by spaces must all match (in any order);
//! `"a phrase in quotes"` matches those words next to each other; a word that tokenizes into
//! several tokens (`e-mail`, `944480690-906948460078698496`, `🇫🇷`) is a phrase. An unclosed
//! quote runs to the end. Operators and punctuation of FTS5, tsquery or SQL are plain text:
//! every token is quoted before it reaches the database.

use super::tokenize::folded_tokens;

/// Most terms a query keeps (later ones are ignored).
pub(crate) const MAX_TERMS: usize = 32;
/// Most tokens a phrase keeps (later ones are ignored).
pub(crate) const MAX_PHRASE: usize = 32;

/// A parsed query: every term must match; a term is a phrase of folded tokens (one token for a
/// plain word).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Terms(pub Vec<Vec<String>>);

impl Terms {
    /// Parses the user's text.
    pub(crate) fn parse(text: &str) -> Terms {
        let mut terms: Vec<Vec<String>> = Vec::new();
        let mut push = |tokens: Vec<String>| {
            let mut tokens = tokens;
            tokens.truncate(MAX_PHRASE);
            if !tokens.is_empty() && !terms.contains(&tokens) && terms.len() < MAX_TERMS {
                terms.push(tokens);
            }
        };
        for (i, part) in text.split('"').enumerate() {
            if i % 2 == 1 {
                push(folded_tokens(part));
            } else {
                for word in part.split_whitespace() {
                    push(folded_tokens(word));
                }
            }
        }
        Terms(terms)
    }

    /// Whether nothing searchable is left (only punctuation, or empty).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The FTS5 `MATCH` expression: `"tok" AND "tok tok"`, each phrase a quoted string.
    pub(crate) fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|phrase| format!("\"{}\"", phrase.join(" ").replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The PostgreSQL `tsquery` literal: `'tok' & ('tok' <-> 'tok')`, each lexeme quoted.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))] // the PostgreSQL backend's
    pub(crate) fn tsquery(&self) -> String {
        self.0
            .iter()
            .map(|phrase| {
                let lexemes: Vec<String> = phrase.iter().map(|t| quote_lexeme(t)).collect();
                if lexemes.len() == 1 {
                    lexemes.concat()
                } else {
                    format!("( {} )", lexemes.join(" <-> "))
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// A lexeme quoted for `tsvector`/`tsquery` input (`'` doubled, `\` escaped).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))] // the PostgreSQL backend's
pub(crate) fn quote_lexeme(token: &str) -> String {
    let mut out = String::with_capacity(token.len() + 2);
    out.push('\'');
    for c in token.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The `tsvector` literal of `tokens` (positions from 1, capped at PostgreSQL's 16383).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))] // the PostgreSQL backend's
pub(crate) fn tsvector(tokens: &[String]) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&quote_lexeme(t));
        out.push(':');
        out.push_str(&(i + 1).min(16383).to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<Vec<String>> {
        Terms::parse(s).0
    }

    fn v(phrases: &[&[&str]]) -> Vec<Vec<String>> {
        phrases
            .iter()
            .map(|p| p.iter().map(|t| t.to_string()).collect())
            .collect()
    }

    #[test]
    fn words_phrases_and_folding() {
        assert_eq!(terms("Café  CRÈME"), v(&[&["cafe"], &["creme"]]));
        assert_eq!(
            terms("\"hello big World\" x"),
            v(&[&["hello", "big", "world"], &["x"]])
        );
        assert_eq!(terms("e-mail"), v(&[&["e", "mail"]]));
        assert_eq!(terms("\"unclosed phrase"), v(&[&["unclosed", "phrase"]]));
        assert_eq!(terms("thanks🙏"), v(&[&["thanks", "🙏"]]));
        assert_eq!(terms("a a A"), v(&[&["a"]]));
        assert!(Terms::parse("\" ' -- ; * ( ) : ^ \"\"").is_empty());
    }

    #[test]
    fn escaping() {
        let t = Terms(vec![
            vec!["o'brien".into()],
            vec!["a\"b".into(), "c\\".into()],
        ]);
        assert_eq!(t.fts5(), r#""o'brien" AND "a""b c\""#);
        assert_eq!(t.tsquery(), r#"'o''brien' & ( 'a"b' <-> 'c\\' )"#);
        assert_eq!(tsvector(&["x".into(), "it's".into()]), "'x':1 'it''s':2");
    }
}
