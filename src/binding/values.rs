//! Reading JS values: each one whole, each property once, and typed as zod types them, so that the
//! core can validate them as the official connector's zod schemas would.

use napi::bindgen_prelude::*;
use napi::{Env, JsGlobal, JsValue, Unknown, ValueType};

use crate::schema::{Input, Kind};

/// Reads JS values for one call.
pub struct Reader<'env> {
    env: &'env Env,
}

impl<'env> Reader<'env> {
    pub fn new(env: &'env Env) -> Self {
        Reader { env }
    }

    /// `object[name]`, read once.
    pub fn get(&self, object: &Object<'env>, name: &str) -> Result<Unknown<'env>> {
        object.get_named_property(name)
    }

    /// `String(object[name])`, read once.
    pub fn string(&self, object: &Object<'env>, name: &str) -> Result<String> {
        string_value(&self.get(object, name)?)
    }

    /// `object[name]` when it is a string, read once; `None` for any other value.
    pub fn text(&self, object: &Object<'env>, name: &str) -> Result<Option<String>> {
        text_if_string(&self.get(object, name)?)
    }

    /// Reads `value` for validation: for an object, the given keys whose values are not
    /// `undefined`, each once; strings are read as they are.
    pub fn read_values(
        &self,
        value: &Unknown<'env>,
        keys: impl IntoIterator<Item = &'static str>,
    ) -> Result<Input> {
        Ok(match self.zod_type(value)? {
            Kind::String => Input::Text(string_value(value)?),
            Kind::Object => {
                let object = value.coerce_to_object()?;
                let mut inputs = Vec::new();
                for key in keys {
                    let field = self.get(&object, key)?;
                    match field.get_type()? {
                        ValueType::Undefined => {}
                        value_type => {
                            inputs.push((key.to_owned(), self.scalar_or_text(&field, value_type)?))
                        }
                    }
                }
                Input::Object(inputs)
            }
            other => Input::Scalar(other),
        })
    }

    /// zod's name for the type of a JS value (its `getParsedType`).
    pub fn zod_type(&self, value: &Unknown) -> Result<Kind> {
        Ok(match value.get_type()? {
            ValueType::Undefined => Kind::Undefined,
            ValueType::Null => Kind::Null,
            ValueType::Boolean => Kind::Boolean,
            ValueType::Number if value.coerce_to_number()?.get_double()?.is_nan() => Kind::NaN,
            ValueType::Number => Kind::Number,
            ValueType::String => Kind::String,
            ValueType::BigInt => Kind::BigInt,
            ValueType::Symbol => Kind::Symbol,
            ValueType::Function => Kind::Function,
            ValueType::Object => self.object_type(value)?,
            _ => Kind::Unknown,
        })
    }

    /// zod's type of an object: array, promise (a `then` and a `catch` function), plain object,
    /// or one of the built-in classes it names.
    fn object_type(&self, value: &Unknown) -> Result<Kind> {
        if value.is_array()? {
            return Ok(Kind::Array);
        }
        let object = value.coerce_to_object()?;
        let is_function = |name: &str| -> Result<bool> {
            Ok(self.get(&object, name)?.get_type()? == ValueType::Function)
        };
        if is_function("then")? && is_function("catch")? {
            return Ok(Kind::Promise);
        }
        if has_plain_prototype(&object)? {
            return Ok(Kind::Object);
        }
        let global: JsGlobal = self.env.get_global()?;
        let is_instance_of =
            |class: &str| value.instanceof(global.get_named_property::<Unknown>(class)?);
        Ok(if is_instance_of("Map")? {
            Kind::Map
        } else if is_instance_of("Set")? {
            Kind::Set
        } else if value.is_date()? {
            Kind::Date
        } else {
            Kind::Object
        })
    }

    /// A property of an object, read once, with its type; `None` when `name in object` is
    /// false (zod keeps a key present with the value `undefined` in `safeParse`'s `data`).
    fn property(
        &self,
        object: &Object<'env>,
        name: &str,
    ) -> Result<Option<(Unknown<'env>, ValueType)>> {
        let value = self.get(object, name)?;
        let value_type = value.get_type()?;
        let present = value_type != ValueType::Undefined || object.has_named_property(name)?;
        Ok(present.then_some((value, value_type)))
    }

    /// Reads `value` as `safeParse` sees it: for an object, the given keys that are `in` it,
    /// each once, with their JS values (to hand back the very values that were checked).
    pub fn read_shape(
        &self,
        value: &Unknown<'env>,
        keys: impl IntoIterator<Item = &'static str>,
    ) -> Result<Read<'env>> {
        let mut fields = Vec::new();
        let input = match self.zod_type(value)? {
            Kind::String => Input::Text(string_value(value)?),
            Kind::Object => {
                let object = value.coerce_to_object()?;
                let mut inputs = Vec::new();
                for key in keys {
                    if let Some((field, value_type)) = self.property(&object, key)? {
                        inputs.push((key.to_owned(), self.scalar_or_text(&field, value_type)?));
                        fields.push((key, field));
                    }
                }
                Input::Object(inputs)
            }
            other => Input::Scalar(other),
        };
        Ok(Read { input, fields })
    }

    /// A field's value: its text when it is a string, otherwise its zod type (nested objects are
    /// not looked into: no schema here has one).
    fn scalar_or_text(&self, value: &Unknown, value_type: ValueType) -> Result<Input> {
        Ok(match value_type {
            ValueType::String => Input::Text(string_value(value)?),
            _ => match self.zod_type(value)? {
                Kind::Object => Input::Object(Vec::new()),
                other => Input::Scalar(other),
            },
        })
    }
}

/// Whether the prototype is `null` or itself has none (`Object.prototype`): no class to name.
fn has_plain_prototype(object: &Object) -> Result<bool> {
    let prototype = object.get_prototype()?;
    if prototype.get_type()? == ValueType::Null {
        return Ok(true);
    }
    Ok(prototype.coerce_to_object()?.get_prototype()?.get_type()? == ValueType::Null)
}

/// A JS value as a schema sees it, with the JS values of the fields it read (to hand back the
/// very values that were checked, as zod does).
pub struct Read<'env> {
    pub input: Input,
    pub fields: Vec<(&'static str, Unknown<'env>)>,
}

/// JavaScript's `String(value)` as UTF-8, whole, whatever its length (a lone surrogate becomes
/// U+FFFD). Throws where `String()` would (a symbol).
pub fn string_value(value: &Unknown) -> Result<String> {
    value.coerce_to_string()?.into_utf8()?.into_owned()
}

/// The value as UTF-8 when it is a string; `None` for any other type.
pub fn text_if_string(value: &Unknown) -> Result<Option<String>> {
    match value.get_type()? {
        ValueType::String => string_value(value).map(Some),
        _ => Ok(None),
    }
}

/// `String(value)` when it is well-formed UTF-16; `None` when it holds a lone surrogate, which
/// makes JavaScript's `encodeURI` throw.
pub fn well_formed_string(value: &Unknown) -> Result<Option<String>> {
    let units = value.coerce_to_string()?.into_utf16()?;
    // napi's buffer ends with the NUL terminator it writes.
    let units = units.as_slice();
    let units = units.strip_suffix(&[0]).unwrap_or(units);
    Ok(String::from_utf16(units).ok())
}
