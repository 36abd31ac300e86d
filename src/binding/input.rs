//! JS values read as zod types them (its `getParsedType`), into the core's [`Input`]: what the
//! config guard and the flows validate, as the official connector's zod schemas would.

use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Unknown, ValueType};

use crate::schema::{Input, Kind};

/// A value as a schema sees it, and the JS values of the keys it read (the config guard hands
/// back the very values it checked, as zod does).
pub struct Read<'env> {
    pub input: Input,
    pub fields: Vec<(&'static str, Unknown<'env>)>,
}

/// Reads `value`: its text if it is a string, its zod type otherwise, and for an object each of
/// `keys` that is `in` it, each read once. Nested objects are not looked into: no schema here
/// has one.
pub fn read<'env>(
    env: &Env,
    value: &Unknown<'env>,
    keys: impl IntoIterator<Item = &'static str>,
) -> Result<Read<'env>> {
    let mut fields = Vec::new();
    let input = match zod_kind(env, value)? {
        Kind::String => Input::Text(String::from_unknown(*value)?),
        Kind::Object => {
            let object = Object::from_unknown(*value)?;
            let mut inputs = Vec::new();
            for key in keys {
                let field: Unknown = object.get_named_property(key)?;
                let input = match zod_kind(env, &field)? {
                    // zod keeps a key whose value is `undefined` only when it is `in` the object.
                    Kind::Undefined if !object.has_named_property(key)? => continue,
                    Kind::String => Input::Text(String::from_unknown(field)?),
                    Kind::Object => Input::Object(Vec::new()),
                    other => Input::Scalar(other),
                };
                inputs.push((key.to_owned(), input));
                fields.push((key, field));
            }
            Input::Object(inputs)
        }
        other => Input::Scalar(other),
    };
    Ok(Read { input, fields })
}

/// zod 3's `getParsedType`.
fn zod_kind(env: &Env, value: &Unknown) -> Result<Kind> {
    Ok(match value.get_type()? {
        ValueType::Undefined => Kind::Undefined,
        ValueType::Null => Kind::Null,
        ValueType::Boolean => Kind::Boolean,
        ValueType::Number if f64::from_unknown(*value)?.is_nan() => Kind::NaN,
        ValueType::Number => Kind::Number,
        ValueType::String => Kind::String,
        ValueType::BigInt => Kind::BigInt,
        ValueType::Symbol => Kind::Symbol,
        ValueType::Function => Kind::Function,
        ValueType::Object => object_kind(env, value)?,
        ValueType::External => Kind::Object,
        _ => Kind::Unknown,
    })
}

fn object_kind(env: &Env, value: &Unknown) -> Result<Kind> {
    if value.is_array()? {
        return Ok(Kind::Array);
    }
    let object = Object::from_unknown(*value)?;
    let is_function = |key| -> Result<bool> {
        let property: Unknown = object.get_named_property(key)?;
        Ok(property.get_type()? == ValueType::Function)
    };
    if is_function("then")? && is_function("catch")? {
        return Ok(Kind::Promise);
    }
    let global = env.get_global()?;
    for (name, kind) in [("Map", Kind::Map), ("Set", Kind::Set), ("Date", Kind::Date)] {
        let constructor: Unknown = global.get_named_property(name)?;
        if value.instanceof(constructor)? {
            return Ok(kind);
        }
    }
    Ok(Kind::Object)
}
