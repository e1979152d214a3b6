//! `--color auto|always|never`: whether output carries ANSI colours.
//!
//! `auto` (the default) colours a stream only when it is a terminal and `NO_COLOR` is not set
//! to a non-empty value (<https://no-color.org>); `always` and `never` override both. The
//! choice is made once per run, for stdout (the chat layout, search highlights) and stderr
//! (log lines such as retry warnings) separately.

use std::io::IsTerminal;
use std::sync::OnceLock;

use clap::ValueEnum;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
#[non_exhaustive]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always, even into pipes and files.
    Always,
    /// Never.
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the run's choice (the first call wins).
pub(crate) fn set(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Whether a stream that is (or is not) a terminal gets colours, under `choice`.
pub(crate) fn decide(choice: ColorChoice, is_terminal: bool, no_color: Option<&str>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
    }
}

fn enabled(is_terminal: bool) -> bool {
    let no_color = std::env::var("NO_COLOR").ok();
    decide(
        CHOICE.get().copied().unwrap_or_default(),
        is_terminal,
        no_color.as_deref(),
    )
}

/// Whether stdout gets colours.
pub(crate) fn stdout() -> bool {
    enabled(std::io::stdout().is_terminal())
}

/// Whether stderr gets colours.
pub(crate) fn stderr() -> bool {
    enabled(std::io::stderr().is_terminal())
}

#[cfg(test)]
mod tests {
    use super::{ColorChoice, decide};

    #[test]
    fn auto_follows_the_terminal_and_no_color() {
        assert!(decide(ColorChoice::Auto, true, None));
        assert!(!decide(ColorChoice::Auto, false, None));
        assert!(!decide(ColorChoice::Auto, true, Some("1")));
        assert!(
            decide(ColorChoice::Auto, true, Some("")),
            "an empty NO_COLOR is unset"
        );
        assert!(decide(ColorChoice::Always, false, Some("1")));
        assert!(!decide(ColorChoice::Never, true, None));
    }
}
