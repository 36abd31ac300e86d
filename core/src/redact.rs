//! What must never leave in an error: the configured app secrets, the tokens of the call, the
//! credentials of the API base URL, and any token a reply carries. Redaction applies to text
//! echoed by WeChat, a gateway or a proxy (see [`crate::error::Echo`]), never to the connector's
//! own message text, and before that text is escaped or cut to an excerpt.

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

/// The secrets of one call, found in echoed text in whatever form an echo gives them.
pub struct Secrets {
    /// Long enough to replace.
    replaced: Vec<Vec<char>>,
    /// Too short to replace without rewriting other text: their echoes are withheld.
    withheld: Vec<Vec<char>>,
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
        let (replaced, withheld) = values
            .into_iter()
            .filter(|value| !value.is_empty())
            .map(|value| value.chars().collect::<Vec<_>>())
            .partition(|chars| chars.len() >= MIN_REPLACED_LEN);
        Secrets { replaced, withheld }
    }

    /// The text with every echo of every secret replaced, and every token field's value masked;
    /// [`WITHHELD`] when it echoes a secret too short to replace.
    pub fn redact(&self, text: &str) -> String {
        if self
            .withheld
            .iter()
            .any(|secret| !echoes(text, secret).is_empty())
        {
            return WITHHELD.to_owned();
        }
        let mut found: Vec<_> = self
            .replaced
            .iter()
            .flat_map(|secret| echoes(text, secret))
            .collect();
        found.sort_unstable_by_key(|echo| (echo.start, std::cmp::Reverse(echo.end)));
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for echo in found {
            // Overlapping echoes (of secrets that share characters) go as one.
            if echo.end <= copied {
                continue;
            }
            if echo.start >= copied {
                out.push_str(&text[copied..echo.start]);
                out.push_str(REDACTED);
            }
            copied = echo.end;
        }
        out.push_str(&text[copied..]);
        mask_token_fields(&out)
    }
}

/// Where `secret` is echoed in `text`, not overlapping. An echo writes each character as it is or
/// escaped, as any encoder may choose character by character: percent-encoded (its UTF-8 bytes,
/// hex in either case: `encodeURIComponent`, `encodeURI`, RFC 3986, form encoding), a space as
/// `+` (form encoding), or JSON-escaped (`\uXXXX`, a pair of them beyond the BMP, `\"`, `\/`, …).
fn echoes(text: &str, secret: &[char]) -> Vec<std::ops::Range<usize>> {
    let Some(&first) = secret.first() else {
        return Vec::new();
    };
    let mut utf8 = [0; 4];
    let lead = first.encode_utf8(&mut utf8).as_bytes()[0];
    let may_start =
        |byte: &u8| [lead, b'%', b'\\'].contains(byte) || (first == ' ' && *byte == b'+');
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(may_start))
    {
        let start = at + offset;
        match echo_end(text, start, secret) {
            Some(end) => {
                found.push(start..end);
                at = end;
            }
            None => at = start + 1,
        }
    }
    found
}

/// Where an echo of `secret` that starts at `at` ends, trying each way its first character may be
/// written, escaped forms first: the longest echo goes whole.
fn echo_end(text: &str, at: usize, secret: &[char]) -> Option<usize> {
    let Some((&first, rest)) = secret.split_first() else {
        return Some(at);
    };
    let bytes = text.as_bytes();
    let mut utf8 = [0; 4];
    let encoded = first.encode_utf8(&mut utf8).as_bytes();
    let as_is = (bytes.get(at..at + encoded.len()) == Some(encoded)).then_some(at + encoded.len());
    let plus = (first == ' ' && bytes.get(at) == Some(&b'+')).then_some(at + 1);
    [
        json_escaped_end(bytes, at, first),
        percent_encoded_end(bytes, at, encoded),
        plus,
        as_is,
    ]
    .into_iter()
    .flatten()
    .find_map(|end| echo_end(text, end, rest))
}

/// Where `%XX` escapes of `encoded` (hex in either case) that start at `at` end.
fn percent_encoded_end(bytes: &[u8], mut at: usize, encoded: &[u8]) -> Option<usize> {
    for &byte in encoded {
        let escape = bytes.get(at..at + 3)?;
        if escape[0] != b'%' || hex(&escape[1..])? != u32::from(byte) {
            return None;
        }
        at += 3;
    }
    Some(at)
}

/// Where a JSON string escape of `c` that starts at `at` ends: its short form (`\"`, `\\`, `\/`,
/// `\b`, `\f`, `\n`, `\r`, `\t`) or `\uXXXX` (hex in either case; a surrogate pair beyond the BMP).
fn json_escaped_end(bytes: &[u8], mut at: usize, c: char) -> Option<usize> {
    if bytes.get(at) != Some(&b'\\') {
        return None;
    }
    let short = match c {
        '"' | '\\' | '/' => Some(c as u8),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        _ => None,
    };
    if short.is_some() && bytes.get(at + 1).copied() == short {
        return Some(at + 2);
    }
    let mut units = [0; 2];
    for &unit in c.encode_utf16(&mut units).iter() {
        let escape = bytes.get(at..at + 6)?;
        if &escape[..2] != b"\\u" || hex(&escape[2..])? != u32::from(unit) {
            return None;
        }
        at += 6;
    }
    Some(at)
}

/// The value of hex digits (either case), nothing else.
fn hex(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |value, &digit| {
        Some(value * 16 + char::from(digit).to_digit(16)?)
    })
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
    use proptest::prelude::*;

    /// How each encoder writes `value`, written from their definitions: the bytes it keeps, `%XX`
    /// (upper-case hex) for every other byte of the UTF-8, and `+` for a space in form encoding.
    fn encoded(value: &str, kept: &str, space_as_plus: bool) -> String {
        let alphanumeric = |byte: u8| byte.is_ascii_alphanumeric();
        value
            .bytes()
            .map(|byte| match byte {
                b' ' if space_as_plus => "+".to_owned(),
                _ if alphanumeric(byte) || kept.as_bytes().contains(&byte) => {
                    char::from(byte).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect()
    }

    /// Every form an echo may give `value` in: as it is; `encodeURIComponent`; `encodeURI`;
    /// `application/x-www-form-urlencoded`; RFC 3986 percent-encoding; each with lower-case hex
    /// too; JSON-escaped as JSON.stringify does, with `\/`, and with `\u` for all but ASCII
    /// (lower- and upper-case hex).
    fn forms(value: &str) -> Vec<String> {
        let component = encoded(value, "-_.!~*'()", false);
        let uri = encoded(value, "-_.!~*'();/?:@&=+$,#", false);
        let form = encoded(value, "*-._", true);
        let rfc3986 = encoded(value, "-._~", false);
        let json = serde_json::to_string(value).unwrap();
        let json = json[1..json.len() - 1].to_owned();
        let ascii_json = |hex: fn(u16) -> String| -> String {
            json.chars()
                .flat_map(|c| {
                    let mut units = [0; 2];
                    match c.is_ascii() {
                        true => vec![c.to_string()],
                        false => c
                            .encode_utf16(&mut units)
                            .iter()
                            .map(|&unit| hex(unit))
                            .collect(),
                    }
                })
                .collect()
        };
        let lower = |encoded: &str| {
            let mut out = encoded.to_owned();
            for (at, _) in encoded.match_indices('%') {
                out.replace_range(at..at + 3, &encoded[at..at + 3].to_ascii_lowercase());
            }
            out
        };
        vec![
            value.to_owned(),
            lower(&component),
            component,
            lower(&uri),
            uri,
            lower(&form),
            form,
            lower(&rfc3986),
            rfc3986,
            json.replace('/', "\\/"),
            ascii_json(|unit| format!("\\u{unit:04x}")),
            ascii_json(|unit| format!("\\u{unit:04X}")),
            json,
        ]
    }

    #[test]
    fn a_secret_with_a_space_and_unreserved_characters_in_every_form() {
        let secret = "ab cd-~.!*'()ef0123";
        let secrets = Secrets::new([secret]);
        let forms = forms(secret);
        assert!(
            forms.contains(&"ab%20cd-~.!*'()ef0123".to_owned()),
            "encodeURIComponent"
        );
        assert!(
            forms.contains(&"ab+cd-%7E.%21*%27%28%29ef0123".to_owned()),
            "form encoding"
        );
        assert!(
            forms.contains(&"ab%20cd-~.%21%2A%27%28%29ef0123".to_owned()),
            "RFC 3986"
        );
        for form in forms {
            assert_eq!(
                secrets.redact(&format!("x={form}&y=1")),
                "x=[redacted]&y=1",
                "{form}"
            );
        }
    }

    /// Characters an echo may carry: the printable ASCII range, spaces, and multibyte ones (two,
    /// three and four bytes of UTF-8).
    fn secret_char() -> impl Strategy<Value = char> {
        prop_oneof![
            8 => (0x20u8..0x7f).prop_map(char::from),
            1 => Just(' '),
            1 => prop::sample::select(vec!['é', 'ß', '微', '信', '秘', '😀', '\u{10ffff}']),
        ]
    }

    proptest! {
        /// Wherever a form of a secret stands in a text, the echoes found cover all of it.
        #[test]
        fn every_form_of_any_secret_is_found(
            secret in prop::collection::vec(secret_char(), 1..40).prop_map(String::from_iter),
            before in "[ -~]{0,8}",
            after in "[ -~]{0,8}",
        ) {
            let chars: Vec<char> = secret.chars().collect();
            for form in forms(&secret) {
                let text = format!("{before}{form}{after}");
                let span = before.len()..before.len() + form.len();
                let found = echoes(&text, &chars);
                let covered = |at: usize| found.iter().any(|echo| echo.contains(&at));
                prop_assert!(span.clone().all(covered), "{form:?} in {text:?}: {found:?}");
            }
        }
    }

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
    fn json_escapes_are_read_in_every_form_and_only_as_escapes() {
        let controls = "ab\ncd\te\rf\u{8}g\u{c}h\"i";
        let chars: Vec<char> = controls.chars().collect();
        let json = serde_json::to_string(controls).unwrap();
        assert_eq!(echoes(&json, &chars), vec![1..json.len() - 1], "{json}");
        let quote: Vec<char> = "ab\"cdef".chars().collect();
        assert_eq!(echoes(r"x ab\u0022cdef", &quote), vec![2..14], "\\u0022");
        // `\x00e9` is no JSON escape of é.
        let accent: Vec<char> = "\u{e9}abcdef".chars().collect();
        assert_eq!(echoes(r"\x00e9abcdef", &accent), vec![]);
        assert_eq!(echoes(r"\u00e9abcdef", &accent), vec![0..12]);
    }

    #[test]
    fn a_percent_escape_stands_for_its_own_byte_only() {
        let plain: Vec<char> = "abcdef".chars().collect();
        assert_eq!(echoes("%61bcdef", &plain), vec![0..8]);
        assert_eq!(echoes("%62bcdef", &plain), vec![]);
        let multibyte: Vec<char> = "秘abcdef".chars().collect();
        assert_eq!(echoes("%E7%A7%98abcdef", &multibyte), vec![0..15]);
        assert_eq!(echoes("%E7%A7%99abcdef", &multibyte), vec![]);
    }

    #[test]
    fn a_plus_stands_for_a_space_and_nothing_else() {
        let spaced: Vec<char> = "ab cdef".chars().collect();
        assert_eq!(echoes("ab+cdef", &spaced), vec![0..7]);
        assert_eq!(echoes("abxcdef", &spaced), vec![]);
        let plain: Vec<char> = "abcdef".chars().collect();
        assert_eq!(echoes("+bcdef", &plain), vec![]);
    }

    #[test]
    fn token_fields_at_the_start_and_empty_ones() {
        assert_eq!(
            mask_token_fields(r#"\u0061ccess_token":"T0K""#),
            r#"\u0061ccess_token":"[redacted]""#
        );
        // An empty value tells nothing, and stays as it was; `\` or `u` alone is no escape.
        assert_eq!(mask_token_fields("access_token=&x=1"), "access_token=&x=1");
        for text in [r"xu0061ccess_token=T0K", r"\x0061ccess_token=T0K"] {
            assert_eq!(mask_token_fields(text), text);
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let debug = format!("{:?}", Secrets::new([SECRET, "s3"]));
        assert_eq!(debug, "Secrets([redacted] × 2)");
    }
}
