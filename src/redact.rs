//! What must never leave in an error: the configured app secrets, the tokens of the call, the
//! credentials of the API base URL, and any token a reply carries. Redaction applies to text
//! echoed by WeChat, a gateway or a proxy (see [`crate::error::Echo`]), never to the connector's
//! own message text, and before that text is escaped or cut to an excerpt.

#![forbid(unsafe_code)]

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What a secret or a token is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shortest secret that is replaced where it occurs: a shorter one would rewrite ordinary words
/// (real WeChat secrets and tokens are 32 and 80+ characters). Text echoing a shorter one is
/// withheld whole instead.
const MIN_REPLACED_LEN: usize = 6;

/// What echoed text holding a secret too short to replace becomes.
pub const WITHHELD: &str = "[withheld: the reply may contain a credential]";

/// What `Debug` prints for a secret or a token, so that a panic message or a log line never
/// carries one.
pub struct Hidden;

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// The keys whose values are tokens, in any reply.
const TOKEN_KEYS: [&str; 2] = ["access_token", "refresh_token"];

/// RFC 3986's unreserved characters kept, everything else percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The secrets of one call, in every form an echo may carry them.
pub struct Secrets {
    /// Long enough to replace; longest first, so a secret that starts with another is replaced
    /// whole.
    replaced: Vec<String>,
    /// Too short to replace without rewriting other text: their echoes are withheld.
    withheld: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Secrets([redacted] × {})",
            self.replaced.len() + self.withheld.len()
        )
    }
}

impl Secrets {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut forms: Vec<String> = values
            .into_iter()
            .filter(|value| !value.is_empty())
            .flat_map(forms_of)
            .collect();
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        let (replaced, withheld) = forms
            .into_iter()
            .partition(|form| form.len() >= MIN_REPLACED_LEN);
        Secrets { replaced, withheld }
    }

    /// The text with every form of every secret replaced, and every token field's value masked;
    /// [`WITHHELD`] when it holds a secret too short to replace.
    pub fn redact(&self, text: &str) -> String {
        if self
            .withheld
            .iter()
            .any(|form| text.contains(form.as_str()))
        {
            return WITHHELD.to_owned();
        }
        let mut out = text.to_owned();
        for form in &self.replaced {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), REDACTED);
            }
        }
        mask_token_fields(&out)
    }
}

/// A secret as it may appear in echoed text: as is, form-encoded (`+` for a space), percent-encoded
/// (`%20`, `%2B`; upper- and lower-case hex; with and without the unreserved characters kept), and
/// escaped inside a JSON string (with `\u` for every non-ASCII character, too).
fn forms_of(value: &str) -> Vec<String> {
    let form = form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
    let percent = utf8_percent_encode(value, NON_ALPHANUMERIC).to_string();
    let unreserved = utf8_percent_encode(value, UNRESERVED).to_string();
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json
        .get(1..json.len().saturating_sub(1))
        .unwrap_or_default()
        .to_owned();
    let mut forms = vec![
        value.to_owned(),
        lower_hex(&form),
        lower_hex(&percent),
        lower_hex(&unreserved),
        form,
        percent,
        unreserved,
        json.replace('/', "\\/"),
        ascii_json(&json),
        json,
    ];
    forms.retain(|form| !form.is_empty());
    forms
}

/// `%2B` → `%2b`: the hex digits of percent escapes in lower case.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
}

/// A JSON string body with every non-ASCII character as `\uXXXX` (surrogate pairs beyond the BMP).
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Masks the value after every `access_token` / `refresh_token` key: JSON with any quoting (`"`,
/// `'`, `\"`) and `\u`-escaped key characters, and form bodies (`access_token=…`). For replies
/// that could not be parsed, whose tokens the connector never learned.
pub fn mask_token_fields(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let Some(key_end) = TOKEN_KEYS.iter().find_map(|key| match_key(bytes, at, key)) else {
            at += 1;
            continue;
        };
        let Some((value_start, value_end)) = token_value(bytes, key_end) else {
            at = key_end;
            continue;
        };
        // Every boundary here is next to an ASCII byte, so a character boundary.
        out.push_str(&text[copied..value_start]);
        out.push_str(REDACTED);
        copied = value_end;
        at = value_end.max(key_end);
    }
    out.push_str(&text[copied..]);
    out
}

/// Where `key` ends if it starts at `at`, each of its characters written as is or as a JSON
/// `\uXXXX` escape.
fn match_key(bytes: &[u8], mut at: usize, key: &str) -> Option<usize> {
    for &expected in key.as_bytes() {
        if bytes.get(at) == Some(&expected) {
            at += 1;
        } else if bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u') {
            let hex = std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?;
            if u32::from_str_radix(hex, 16).ok()? != u32::from(expected) {
                return None;
            }
            at += 6;
        } else {
            return None;
        }
    }
    Some(at)
}

/// After a key: an optional closing quote, a `:` or `=`, an optional opening quote; the value
/// runs to the matching quote, or, unquoted, to the next delimiter.
fn token_value(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let skip_spaces = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    at += quote_at(bytes, at).map_or(0, <[u8]>::len);
    at = skip_spaces(at);
    if !matches!(bytes.get(at), Some(b':' | b'=')) {
        return None;
    }
    at = skip_spaces(at + 1);
    let start;
    let end = match quote_at(bytes, at) {
        Some(quote) => {
            start = at + quote.len();
            find(bytes, start, quote).unwrap_or(bytes.len())
        }
        None => {
            start = at;
            let delimiter = |b: &u8| b"&,;}] \t\r\n\"'<".contains(b) || *b == b'\\';
            bytes[start..]
                .iter()
                .position(delimiter)
                .map_or(bytes.len(), |n| start + n)
        }
    };
    (end > start).then_some((start, end))
}

/// The quote at `at`, if any: `\"`, `\'`, `"` or `'`.
fn quote_at(bytes: &[u8], at: usize) -> Option<&'static [u8]> {
    const QUOTES: [&[u8]; 4] = [b"\\\"", b"\\'", b"\"", b"'"];
    QUOTES
        .into_iter()
        .find(|quote| bytes.get(at..at + quote.len()) == Some(*quote))
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|n| from + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ab+cd/ef gh=ij0123456789";

    #[test]
    fn every_form_of_a_secret_is_replaced() {
        let secrets = Secrets::new([SECRET]);
        for echoed in [
            SECRET.to_owned(),
            "ab%2Bcd%2Fef+gh%3Dij0123456789".to_owned(),
            "ab%2bcd%2fef+gh%3dij0123456789".to_owned(),
            "ab%2Bcd%2Fef%20gh%3Dij0123456789".to_owned(),
            "ab+cd\\/ef gh=ij0123456789".to_owned(),
        ] {
            let out = secrets.redact(&format!("secret={echoed}&x=1"));
            assert_eq!(out, "secret=[redacted]&x=1", "{echoed}");
        }
        let unicode = Secrets::new(["秘密secret"]);
        assert_eq!(unicode.redact("\\u79d8\\u5bc6secret"), REDACTED);
        assert_eq!(unicode.redact("%E7%A7%98%E5%AF%86secret"), REDACTED);
    }

    #[test]
    fn the_longer_of_two_secrets_sharing_a_start_goes_whole() {
        let secrets = Secrets::new(["abcdef", "abcdefghijkl"]);
        assert_eq!(
            secrets.redact("x abcdefghijkl y abcdef"),
            "x [redacted] y [redacted]"
        );
    }

    #[test]
    fn short_secrets_withhold_the_echo_instead_of_rewriting_it() {
        let secrets = Secrets::new(["s3", "a-long-secret"]);
        assert_eq!(secrets.redact("echo of s3 here"), WITHHELD);
        assert_eq!(secrets.redact("nothing here"), "nothing here");
    }

    #[test]
    fn token_fields_are_masked_in_any_quoting() {
        for (text, masked) in [
            (
                r#"{"access_token":"T0K","x":1}"#,
                r#"{"access_token":"[redacted]","x":1}"#,
            ),
            (
                r#"{ 'refresh_token' : 'R' }"#,
                r#"{ 'refresh_token' : '[redacted]' }"#,
            ),
            (
                r#"{\"refresh_token\":\"R\"}"#,
                r#"{\"refresh_token\":\"[redacted]\"}"#,
            ),
            (
                r#"{"\u0061ccess_token":"T"}"#,
                r#"{"\u0061ccess_token":"[redacted]"}"#,
            ),
            (
                "a=1&access_token=T0K&b=2",
                "a=1&access_token=[redacted]&b=2",
            ),
            (
                r#"{"access_token":"TRUNCATED"#,
                r#"{"access_token":"[redacted]"#,
            ),
            ("access_token", "access_token"),
            ("the access_token expired", "the access_token expired"),
        ] {
            assert_eq!(mask_token_fields(text), masked, "{text}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let debug = format!("{:?}", Secrets::new([SECRET]));
        assert!(!debug.contains("ab+cd"));
    }
}
