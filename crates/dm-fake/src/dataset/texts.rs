//! Message text templates: unicode, emoji, quotes, newlines, URLs, mentions and hashtags.
//!
//! `{n}` in a template is replaced by a number derived from the event id, so texts vary.

/// Templates for generated messages (never empty, all ≤ 10,000 chars).
pub const TEMPLATES: &[&str] = &[
    "Hello, just you!",
    "Café at 9? ☕️",
    "He said \"ship it\" and left 🚀",
    "Line one\nLine two\n\nLine four",
    "日本語のメッセージです。よろしくお願いします！",
    "Здравствуйте! Как дела? #{n}",
    "مرحبا بك 👋",
    "Check the docs: https://docs.x.com/x-api/direct-messages",
    "👨‍👩‍👧‍👦 family emoji and flags 🇺🇦🇯🇵",
    "Tab\tseparated\tvalues",
    "Backslash \\ and slash / and <b>html</b> & ampersand",
    "#rustlang meetup on Thursday with @XDevelopers?",
    "It's 'single quotes' and “curly quotes” and «guillemets»",
    "Meeting moved to 14:30 — see https://example.com/cal?id={n}&x=1",
    "ok",
    "Zero\u{200b}width space and combining e\u{301} (é)",
    "Math: ∑ x² ≤ ∞, 1/2 ≠ 0.5? {n}",
    "😀😃😄😁",
    "Can you review https://github.com/xdm-rs/xdm/pull/{n} ?",
    "Trailing spaces and a newline at the end   \n",
    "Ticket #{n}: \"quoted\\escaped\" text\r\nwith CRLF",
    "Long message: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. 🏁",
];

/// Templates for a message that shares a Post; `{url}` is the t.co link.
pub const SHARE_TEMPLATES: &[&str] = &[
    "Simple Tweet link: {url}",
    "Have you seen this? 👀 {url}",
    "{url}",
    "lol\n{url}",
];

/// Templates for a message with a media attachment; `{url}` is the t.co link to the media.
pub const MEDIA_TEMPLATES: &[&str] = &["Another photo {url}", "📷 {url}", "Here you go: {url}"];

/// Renders template `index` of `table` for the event `id` (`url` fills `{url}`).
pub fn render(table: &[&str], index: usize, id: u64, url: &str) -> String {
    let t = table
        .get(index % table.len().max(1))
        .copied()
        .unwrap_or("ok");
    let mut s = t.replace("{url}", url);
    if s.contains("{n}") {
        s = s.replace("{n}", &(id % 100_000).to_string());
    }
    s
}

/// A deterministic t.co short link for a number.
pub fn tco(n: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = crate::clock::mix(n);
    let mut code = String::with_capacity(10);
    for _ in 0..10 {
        let i = (x % ALPHABET.len() as u64) as usize;
        code.push(ALPHABET.get(i).copied().unwrap_or(b'x') as char);
        x /= ALPHABET.len() as u64;
    }
    format!("https://t.co/{code}")
}
