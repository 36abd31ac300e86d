//! Zod-compatible object checks.
//!
//! The official connector validates config and WeChat replies with zod 3 `z.object` schemas whose
//! fields are `z.string()`, `z.number()` or `z.enum([...])`, some `.optional()`. This module does
//! the same checks and reports the same issues (code, expected, received, path, message, in zod's
//! key order), so errors serialize exactly like a `ZodError`. It knows nothing of WeChat.

use serde_json::{json, Value};

/// Zod's `ZodParsedType`: how zod names the type of a value it received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Undefined,
    Null,
    Boolean,
    Number,
    NaN,
    String,
    BigInt,
    Symbol,
    Function,
    Array,
    Object,
    Date,
    Map,
    Set,
    Promise,
    Unknown,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Undefined => "undefined",
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Number => "number",
            Kind::NaN => "nan",
            Kind::String => "string",
            Kind::BigInt => "bigint",
            Kind::Symbol => "symbol",
            Kind::Function => "function",
            Kind::Array => "array",
            Kind::Object => "object",
            Kind::Date => "date",
            Kind::Map => "map",
            Kind::Set => "set",
            Kind::Promise => "promise",
            Kind::Unknown => "unknown",
        }
    }
}

/// What a field must hold.
#[derive(Debug, Clone, Copy)]
pub enum FieldType {
    String,
    Number,
    Enum(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub ty: FieldType,
    pub optional: bool,
}

impl Field {
    pub const fn required(key: &'static str, ty: FieldType) -> Self {
        Field {
            key,
            ty,
            optional: false,
        }
    }
    pub const fn optional(key: &'static str, ty: FieldType) -> Self {
        Field {
            key,
            ty,
            optional: true,
        }
    }
}

/// A value that can be checked: a parsed JSON reply or a JS value read by the binding.
pub trait Shape {
    fn kind(&self) -> Kind;
    /// The value of `key`, or `None` when `key in value` is false.
    fn field(&self, key: &str) -> Option<&Self>;
    fn as_text(&self) -> Option<&str>;
}

impl Shape for Value {
    fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Boolean,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }
    fn field(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|map| map.get(key))
    }
    fn as_text(&self) -> Option<&str> {
        self.as_str()
    }
}

/// A JS value as the binding reads it: its zod type, its text when it is a string, and for an
/// object the keys a schema asked for that are `in` it. `Debug` shows no text (a config's holds
/// its secrets).
#[derive(Clone, PartialEq)]
pub enum Input {
    Scalar(Kind),
    Text(String),
    Object(Vec<(String, Input)>),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Scalar(kind) => write!(f, "Scalar({kind:?})"),
            Input::Text(text) => write!(f, "Text({} bytes)", text.len()),
            Input::Object(fields) => f
                .debug_map()
                .entries(fields.iter().map(|(k, v)| (k, v)))
                .finish(),
        }
    }
}

impl Shape for Input {
    fn kind(&self) -> Kind {
        match self {
            Input::Scalar(kind) => *kind,
            Input::Text(_) => Kind::String,
            Input::Object(_) => Kind::Object,
        }
    }
    fn field(&self, key: &str) -> Option<&Input> {
        match self {
            Input::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn as_text(&self) -> Option<&str> {
        match self {
            Input::Text(text) => Some(text),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum IssueKind {
    InvalidType {
        expected: String,
        received: &'static str,
    },
    InvalidEnumValue {
        received: String,
        options: &'static [&'static str],
    },
    Custom,
}

/// One zod issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub kind: IssueKind,
    pub path: Vec<String>,
    pub message: String,
}

impl Issue {
    fn invalid_type(path: Vec<String>, expected: String, received: Kind) -> Self {
        let message = if received == Kind::Undefined {
            "Required".to_owned()
        } else {
            format!("Expected {expected}, received {}", received.name())
        };
        Issue {
            kind: IssueKind::InvalidType {
                expected,
                received: received.name(),
            },
            path,
            message,
        }
    }

    pub fn custom(path: Vec<String>, message: impl Into<String>) -> Self {
        Issue {
            kind: IssueKind::Custom,
            path,
            message: message.into(),
        }
    }

    /// The issue as zod serializes it, keys in zod's order.
    pub fn to_json(&self) -> Value {
        let path: Vec<Value> = self.path.iter().map(|p| Value::String(p.clone())).collect();
        match &self.kind {
            IssueKind::InvalidType { expected, received } => json!({
                "code": "invalid_type",
                "expected": expected,
                "received": received,
                "path": path,
                "message": self.message,
            }),
            IssueKind::InvalidEnumValue { received, options } => json!({
                "received": received,
                "code": "invalid_enum_value",
                "options": options,
                "path": path,
                "message": self.message,
            }),
            IssueKind::Custom => json!({
                "code": "custom",
                "message": self.message,
                "path": path,
            }),
        }
    }
}

fn join_values(options: &[&str]) -> String {
    options
        .iter()
        .map(|o| format!("'{o}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// `z.object({...})` with the given fields (unknown keys are allowed and stripped by callers).
pub fn check_object<S: Shape>(input: &S, fields: &[Field]) -> Vec<Issue> {
    let kind = input.kind();
    if kind != Kind::Object {
        return vec![Issue::invalid_type(Vec::new(), "object".into(), kind)];
    }
    let mut issues = Vec::new();
    for field in fields {
        let value = input.field(field.key);
        let kind = value.map_or(Kind::Undefined, Shape::kind);
        let path = || vec![field.key.to_owned()];
        if kind == Kind::Undefined {
            if !field.optional {
                let expected = match field.ty {
                    FieldType::String => "string".to_owned(),
                    FieldType::Number => "number".to_owned(),
                    FieldType::Enum(options) => join_values(options),
                };
                issues.push(Issue::invalid_type(path(), expected, kind));
            }
            continue;
        }
        match field.ty {
            FieldType::String if kind != Kind::String => {
                issues.push(Issue::invalid_type(path(), "string".into(), kind));
            }
            FieldType::Number if kind != Kind::Number => {
                issues.push(Issue::invalid_type(path(), "number".into(), kind));
            }
            FieldType::Enum(options) => match value.and_then(Shape::as_text) {
                None => issues.push(Issue::invalid_type(path(), join_values(options), kind)),
                Some(text) if !options.contains(&text) => issues.push(Issue {
                    kind: IssueKind::InvalidEnumValue {
                        received: text.to_owned(),
                        options,
                    },
                    path: path(),
                    message: format!(
                        "Invalid enum value. Expected {}, received '{text}'",
                        join_values(options)
                    ),
                }),
                Some(_) => {}
            },
            _ => {}
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        Field::required("a", FieldType::String),
        Field::optional("n", FieldType::Number),
        Field::optional("e", FieldType::Enum(&["x", "y"])),
    ];

    #[test]
    fn non_objects_get_one_root_issue() {
        let issues = check_object(&json!(null), FIELDS);
        assert_eq!(
            issues[0].to_json().to_string(),
            r#"{"code":"invalid_type","expected":"object","received":"null","path":[],"message":"Expected object, received null"}"#
        );
        assert_eq!(
            check_object(&json!([1]), FIELDS)[0].message,
            "Expected object, received array"
        );
    }

    #[test]
    fn field_issues_follow_schema_order_and_zod_messages() {
        let issues = check_object(&json!({"e": 1, "n": "1"}), FIELDS);
        let json: Vec<String> = issues.iter().map(|i| i.to_json().to_string()).collect();
        assert_eq!(
            json,
            vec![
                r#"{"code":"invalid_type","expected":"string","received":"undefined","path":["a"],"message":"Required"}"#,
                r#"{"code":"invalid_type","expected":"number","received":"string","path":["n"],"message":"Expected number, received string"}"#,
                r#"{"code":"invalid_type","expected":"'x' | 'y'","received":"number","path":["e"],"message":"Expected 'x' | 'y', received number"}"#,
            ]
        );
    }

    #[test]
    fn enum_values_outside_the_options_are_reported() {
        let issues = check_object(&json!({"a": "", "e": "z"}), FIELDS);
        assert_eq!(
            issues[0].to_json().to_string(),
            r#"{"received":"z","code":"invalid_enum_value","options":["x","y"],"path":["e"],"message":"Invalid enum value. Expected 'x' | 'y', received 'z'"}"#
        );
    }

    #[test]
    fn null_is_not_an_absent_optional() {
        let issues = check_object(&json!({"a": "ok", "n": null}), FIELDS);
        assert_eq!(issues[0].message, "Expected number, received null");
        assert!(check_object(&json!({"a": "ok", "extra": [1]}), FIELDS).is_empty());
    }
}
