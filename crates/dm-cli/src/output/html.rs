//! The pages of `xdm export --format html`: rendered with maud, which escapes every value it
//! interpolates (text, names, URLs), so a message holding `<script>` shows as text. The only
//! unescaped parts are the constant style sheet and search script below, allowed by their
//! hashes in each page's Content-Security-Policy (nothing else may run or load, except
//! images and videos from the site itself).

use base64::Engine;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

/// The style sheet of every page.
pub(crate) const STYLE: &str = "
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#111}
header{background:#1d2733;color:#fff;padding:12px 20px}header a{color:#9cf}
main{max-width:760px;margin:0 auto;padding:12px 16px}
h1{font-size:20px;margin:0}h2.day{text-align:center;font-size:13px;color:#555;margin:18px 0 8px}
input#q{width:100%;box-sizing:border-box;padding:8px;font-size:15px;margin:8px 0 12px}
ul.convs{list-style:none;padding:0;margin:0}ul.convs li{background:#fff;margin:6px 0;padding:10px;border-radius:8px}
ul.convs li[hidden]{display:none}.meta{color:#666;font-size:12px}
.msg{display:flex;gap:8px;margin:6px 0}.msg.me{flex-direction:row-reverse}
.avatar{flex:none;width:34px;height:34px;border-radius:50%;background:#8a9bb0;color:#fff;display:flex;align-items:center;justify-content:center;font-size:13px;font-weight:600}
.bubble{background:#fff;border-radius:12px;padding:6px 10px;max-width:80%;overflow-wrap:anywhere}
.me .bubble{background:#d7ecff}.who{font-size:12px;color:#345;font-weight:600}
.text{white-space:pre-wrap}.bubble img,.bubble video{max-width:100%;border-radius:8px;display:block;margin-top:4px}
.system{text-align:center;color:#666;font-size:13px;margin:8px 0}.missing{color:#a33;font-size:12px}
.reactions{font-size:12px;color:#555}
";

/// The search box's script: filters the conversation list as one types (no network); a
/// query after `#` in the address fills the box (`index.html#bob`).
pub(crate) const SCRIPT: &str = "
(function(){var q=document.getElementById('q');if(!q)return;
if(location.hash.length>1){try{q.value=decodeURIComponent(location.hash.slice(1));}catch(e){}}
function run(){var t=q.value.toLowerCase().trim();var items=document.querySelectorAll('ul.convs li');
var shown=0;for(var i=0;i<items.length;i++){var hit=t===''||items[i].getAttribute('data-search').indexOf(t)>=0;
items[i].hidden=!hit;if(hit)shown++;}document.getElementById('shown').textContent=String(shown);}
q.addEventListener('input',run);run();})();
";

/// `'sha256-…'` of an inline block, for the Content-Security-Policy.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The Content-Security-Policy of the pages: nothing from elsewhere, no script but ours.
pub(crate) fn csp() -> String {
    format!(
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src {}; script-src {}; \
         base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    )
}

/// A whole page.
pub(crate) fn page(title: &str, header: Markup, body: Markup, script: bool) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(csp());
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { (header) }
                main { (body) }
                @if script {
                    script { (PreEscaped(SCRIPT)) }
                }
            }
        }
    }
    .into_string()
}

/// Up to two initials of a name (letters or digits), upper-cased.
pub(crate) fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: String = words
        .iter()
        .take(2)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    if out.is_empty() {
        out.push('?');
    }
    out
}

/// Whether a URL may be a link target (http or https only: never `javascript:`).
pub(crate) fn safe_href(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let hostile = "<script>alert(1)</script>\" onerror=\"x";
        let out = page(
            hostile,
            html! { (hostile) },
            html! { p { (hostile) } },
            false,
        );
        assert!(!out.contains("<script>alert"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onerror=&quot;x"));
        let attr = html! { a href=(hostile) { "x" } }.into_string();
        assert!(
            attr.contains("href=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot; onerror=&quot;x\""),
            "{attr}"
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(initials("Alice <A.>"), "AA");
        assert_eq!(initials("bob"), "B");
        assert_eq!(initials("<>"), "?");
        assert_eq!(initials("élodie durand"), "ÉD");
        assert!(safe_href("https://x.com"));
        assert!(!safe_href("javascript:alert(1)"));
        assert!(!safe_href(" JavaScript:alert(1)"));
        assert!(csp().contains("script-src 'sha256-"));
    }
}
