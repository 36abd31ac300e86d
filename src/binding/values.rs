//! Reading JS values: each one whole, each property once, and typed as zod types them, so that the
//! core can validate them as the official connector's zod schemas would.
//!
//! The reading itself happens in `read.js`, compiled once per Node environment: through N-API,
//! every property read costs tens of nanoseconds (its key is interned and looked up on each call),
//! and getAuthorizationUri needs some twenty, as much as the official connector's whole call. From
//! JavaScript they cost a few nanoseconds, and one N-API call brings them all back as one string.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use napi::bindgen_prelude::*;
use napi::{sys, Env, JsString, JsStringUtf16, JsValue, Unknown, ValueType};

use crate::error::Result as Outcome;
use crate::schema::{Input, Kind};
use crate::{authorization, config};

const READ_JS: &str = include_str!("read.js");

/// The key lists `read.js` reads objects by, passed to it once, by position.
#[derive(Clone, Copy)]
pub enum Keys {
    /// The config guard's keys.
    Config = 0,
    /// What `getAuthorizationUri` records with `setSession`.
    Session = 1,
    /// The callback data's `code`.
    CallbackData = 2,
}

/// The config guard's keys, in its order.
const CONFIG_KEYS: [&str; config::FIELDS.len()] = {
    let mut keys = [""; config::FIELDS.len()];
    let mut index = 0;
    while index < keys.len() {
        keys[index] = config::FIELDS[index].key;
        index += 1;
    }
    keys
};

impl Keys {
    const ALL: [Keys; 3] = [Keys::Config, Keys::Session, Keys::CallbackData];

    fn keys(self) -> &'static [&'static str] {
        match self {
            Keys::Config => &CONFIG_KEYS,
            Keys::Session => &[
                authorization::SESSION_FLOW,
                authorization::SESSION_APP_ID,
                authorization::SESSION_SCOPE,
            ],
            Keys::CallbackData => &["code"],
        }
    }
}

/// `read(value, keys, payload, presence)`: see read.js.
type ReadArgs = FnArgs<(sys::napi_value, u32, Option<sys::napi_value>, bool)>;

/// read.js's own value: `(typeNames, keyLists) => read`.
type MakeRead<'env> = Function<
    'env,
    FnArgs<(Vec<&'static str>, Vec<Vec<&'static str>>)>,
    Function<'env, ReadArgs, Unknown<'static>>,
>;

/// What the binding keeps per Node environment (in its instance data).
struct Instance {
    read: FunctionRef<ReadArgs, Unknown<'static>>,
    /// The config getAuthorizationUri validated last, under what read.js read of it (its types and
    /// strings): the same reading validates to the same config, so it is validated once. Any
    /// change to the config, in place or not, changes the reading.
    last_config: RefCell<Option<(Vec<u16>, Rc<config::Config>)>>,
}

impl Instance {
    /// This environment's, made on first use.
    fn of(env: &Env) -> Result<&'static Instance> {
        if let Some(instance) = env.get_instance_data::<Instance>()? {
            return Ok(instance);
        }
        let type_names: Vec<&str> = Kind::ALL.iter().map(|kind| kind.name()).collect();
        let key_lists: Vec<Vec<&str>> = Keys::ALL.iter().map(|keys| keys.keys().to_vec()).collect();
        let make: MakeRead = env.run_script(READ_JS)?;
        let read = make.call((type_names, key_lists).into())?;
        let instance = Instance {
            read: read.create_ref()?,
            last_config: RefCell::new(None),
        };
        env.set_instance_data(instance, (), |_| {})?;
        env.get_instance_data::<Instance>()?
            .map(|instance| &*instance)
            .ok_or_else(|| Error::from_reason("the binding's instance data was not kept"))
    }
}

/// One call of `read.js`, decoded; `take_*` walk its entries in order.
struct Reading<'env> {
    /// `types|lengths|strings`, as UTF-16 (napi's buffer, NUL-terminated).
    units: JsStringUtf16<'env>,
    /// How many codes (one per entry) start `units`.
    types: usize,
    next_type: usize,
    /// Where each string lies in `units`.
    strings: Vec<Range<usize>>,
    next_string: usize,
    /// The array `read.js` returned: the text, then (when asked for presence) the listed keys'
    /// values, then any payload part that `String()` could not convert.
    array: Object<'env>,
    next_value: u32,
}

impl<'env> Reading<'env> {
    fn new(env: &Env, read: &Unknown) -> Result<Reading<'env>> {
        let malformed = || Error::from_reason("read.js gave a malformed text");
        let array = Object::from_raw(env.raw(), read.raw());
        let buffer = array.get_element::<JsString>(0)?.into_utf16()?;
        // napi's buffer ends with the NUL terminator it writes.
        let units = buffer.as_slice();
        let units = units.strip_suffix(&[0]).unwrap_or(units);
        let mut bars = units
            .iter()
            .enumerate()
            .filter(|(_, &unit)| unit == u16::from(b'|'))
            .map(|(index, _)| index);
        let (Some(types_end), Some(lengths_end)) = (bars.next(), bars.next()) else {
            return Err(malformed());
        };
        let mut start = lengths_end + 1;
        let mut strings = Vec::with_capacity(8);
        for length in units[types_end + 1..lengths_end].split(|&unit| unit == u16::from(b',')) {
            if length.is_empty() {
                continue;
            }
            let mut value = 0usize;
            for &digit in length {
                let digit = char::from_u32(u32::from(digit))
                    .and_then(|digit| digit.to_digit(10))
                    .ok_or_else(malformed)?;
                value = value
                    .checked_mul(10)
                    .and_then(|value| value.checked_add(digit as usize))
                    .ok_or_else(malformed)?;
            }
            let end = start.checked_add(value).ok_or_else(malformed)?;
            strings.push(start..end);
            start = end;
        }
        if start != units.len() {
            return Err(malformed());
        }
        Ok(Reading {
            units: buffer,
            types: types_end,
            next_type: 0,
            strings,
            next_string: 0,
            array,
            next_value: 1,
        })
    }

    fn take_code(&mut self) -> Result<u16> {
        let code = self.units[..self.types].get(self.next_type).copied();
        self.next_type += 1;
        code.ok_or_else(|| Error::from_reason("read.js gave too few types"))
    }

    /// The next entry's zod type; `None` for a key that is not `in` the object (or, unless asked
    /// for presence, whose value is `undefined`).
    fn take_kind(&mut self) -> Result<Option<Kind>> {
        Ok(match self.take_code()? {
            code if code == u16::from(b'-') => None,
            code => Some(
                code.checked_sub(u16::from(b'A'))
                    .and_then(|index| Kind::ALL.get(usize::from(index)))
                    .copied()
                    .unwrap_or(Kind::Unknown),
            ),
        })
    }

    /// Where the next string lies.
    fn take_string(&mut self) -> Result<Range<usize>> {
        let range = self.strings.get(self.next_string).cloned();
        self.next_string += 1;
        range.ok_or_else(|| Error::from_reason("read.js gave too few strings"))
    }

    /// The next string as UTF-8, a lone surrogate becoming U+FFFD (as napi's UTF-8 does).
    fn take_text(&mut self) -> Result<String> {
        let range = self.take_string()?;
        Ok(utf8_lossy(&self.units[range]))
    }

    fn take_value(&mut self) -> Result<Unknown<'env>> {
        let value = self.array.get_element(self.next_value)?;
        self.next_value += 1;
        Ok(value)
    }

    /// The value read as the schemas check it: the text of a string, the type of anything
    /// else, and for an object its keys' texts or types (nested objects are not looked into: no
    /// schema here has one).
    fn take_input(&mut self, keys: &[&'static str]) -> Result<Input> {
        let kind = self.take_kind()?.unwrap_or(Kind::Unknown);
        Ok(match kind {
            Kind::String => Input::Text(self.take_text()?),
            Kind::Object => {
                let mut inputs = Vec::with_capacity(keys.len());
                for key in keys {
                    let input = match self.take_kind()? {
                        None => continue,
                        Some(Kind::String) => Input::Text(self.take_text()?),
                        Some(Kind::Object) => Input::Object(Vec::new()),
                        Some(other) => Input::Scalar(other),
                    };
                    inputs.push(((*key).to_owned(), input));
                }
                Input::Object(inputs)
            }
            other => Input::Scalar(other),
        })
    }

    /// A payload string: converted in read.js, or the value `String()` threw on.
    fn take_part(&mut self) -> Result<Option<Part<'env>>> {
        Ok(match u8::try_from(self.take_code()?) {
            Ok(b'+') => Some(Part::Converted(self.take_string()?)),
            Ok(b'!') => Some(Part::Unconverted(self.take_value()?)),
            _ => None,
        })
    }

    /// The codes and strings read so far, as the key of what they validate to: each string's
    /// length comes first, so that different readings never give the same key.
    fn read_so_far(&self) -> impl Iterator<Item = u16> + '_ {
        let strings = self.strings[..self.next_string].iter().flat_map(|range| {
            let length = u32::try_from(range.len()).unwrap_or(u32::MAX);
            [(length >> 16) as u16, length as u16]
                .into_iter()
                .chain(self.units[range.clone()].iter().copied())
        });
        self.units[..self.next_type].iter().copied().chain(strings)
    }

    /// Skips the entries `take_input` would read, without decoding them.
    fn skip_input(&mut self, keys: &[&'static str]) -> Result<()> {
        let kind = self.take_kind()?;
        let entries = match kind {
            Some(Kind::Object) => keys.len(),
            _ => 0,
        };
        if kind == Some(Kind::String) {
            self.take_string()?;
        }
        for _ in 0..entries {
            if self.take_kind()? == Some(Kind::String) {
                self.take_string()?;
            }
        }
        Ok(())
    }
}

/// UTF-16 as UTF-8, a lone surrogate becoming U+FFFD.
fn utf8_lossy(units: &[u16]) -> String {
    ascii(units).unwrap_or_else(|| String::from_utf16_lossy(units))
}

/// UTF-16 as UTF-8; `None` when it holds a lone surrogate.
fn utf8_strict(units: &[u16]) -> Option<String> {
    ascii(units).or_else(|| String::from_utf16(units).ok())
}

/// The common case, copied byte for byte: all ASCII.
fn ascii(units: &[u16]) -> Option<String> {
    let bytes: Option<Vec<u8>> = units
        .iter()
        .map(|&unit| u8::try_from(unit).ok().filter(u8::is_ascii))
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A value of getAuthorizationUri's payload, as `String()` converts it.
pub enum Part<'env> {
    /// Where the string lies in the reading.
    Converted(Range<usize>),
    /// `String()` threw on it in read.js: converted here, after the config is checked, where it
    /// throws the same way.
    Unconverted(Unknown<'env>),
}

/// getAuthorizationUri's config and payload, read in one call.
pub struct AuthorizationRead<'env> {
    units: JsStringUtf16<'env>,
    pub state: Part<'env>,
    pub redirect_uri: Part<'env>,
    pub scope: Option<Part<'env>>,
    pub user_agent: Option<String>,
}

impl AuthorizationRead<'_> {
    /// A part as UTF-8, a lone surrogate becoming U+FFFD (as URLSearchParams converts it).
    pub fn text(&self, part: &Part) -> Result<String> {
        match part {
            Part::Converted(range) => Ok(utf8_lossy(&self.units[range.clone()])),
            Part::Unconverted(value) => string_value(value),
        }
    }

    /// A part as UTF-8 when it is well-formed; `None` when it holds a lone surrogate, which
    /// makes JavaScript's `encodeURI` throw.
    pub fn well_formed_text(&self, part: &Part) -> Result<Option<String>> {
        match part {
            Part::Converted(range) => Ok(utf8_strict(&self.units[range.clone()])),
            Part::Unconverted(value) => well_formed_string(value),
        }
    }
}

/// Reads JS values for one call.
pub struct Reader<'env> {
    env: &'env Env,
    instance: &'static Instance,
}

impl<'env> Reader<'env> {
    pub fn new(env: &'env Env) -> Result<Self> {
        Ok(Reader {
            env,
            instance: Instance::of(env)?,
        })
    }

    /// Calls read.js on `value` (and `payload`). With `presence`, keys `in` the object whose
    /// value is `undefined` are reported, as `safeParse` keeps them; otherwise they are absent,
    /// as the flows treat them.
    fn reading(
        &self,
        value: &Unknown<'env>,
        keys: Keys,
        payload: Option<&Object<'env>>,
        presence: bool,
    ) -> Result<Reading<'env>> {
        let read = self.instance.read.borrow_back(self.env)?;
        let payload = payload.map(|payload| payload.raw());
        let result = read.call((value.raw(), keys as u32, payload, presence).into())?;
        Reading::new(self.env, &result)
    }

    /// Reads `value` for the flows: for an object, the listed keys whose values are not
    /// `undefined`, each once; strings are read as they are.
    pub fn read_values(&self, value: &Unknown<'env>, keys: Keys) -> Result<Input> {
        self.reading(value, keys, None, false)?
            .take_input(keys.keys())
    }

    /// Reads `value` as `safeParse` sees it: for an object, the listed keys that are `in` it,
    /// each once, with their JS values (to hand back the very values that were checked).
    pub fn read_shape(&self, value: &Unknown<'env>, keys: Keys) -> Result<Shaped<'env>> {
        let mut reading = self.reading(value, keys, None, true)?;
        let input = reading.take_input(keys.keys())?;
        let mut fields = Vec::new();
        if let Input::Object(inputs) = &input {
            let mut present = inputs.iter().map(|(key, _)| key.as_str()).peekable();
            for &key in keys.keys() {
                let value = reading.take_value()?;
                if present.next_if_eq(&key).is_some() {
                    fields.push((key, value));
                }
            }
        }
        Ok(Shaped { input, fields })
    }

    /// getAuthorizationUri's config, validated (once for as long as it reads the same), and its
    /// payload, read in one call.
    pub fn read_authorization(
        &self,
        config: &Unknown<'env>,
        payload: &Object<'env>,
    ) -> Result<(Outcome<Rc<config::Config>>, AuthorizationRead<'env>)> {
        let mut reading = self.reading(config, Keys::Config, Some(payload), false)?;
        let keys = Keys::Config.keys();
        reading.skip_input(keys)?;
        let mut last = self.instance.last_config.borrow_mut();
        let config = match &*last {
            Some((key, config)) if key.iter().copied().eq(reading.read_so_far()) => {
                Ok(Rc::clone(config))
            }
            _ => {
                let read_config = reading.read_so_far().collect();
                let (types, strings) = (reading.next_type, reading.next_string);
                (reading.next_type, reading.next_string) = (0, 0);
                let input = reading.take_input(keys)?;
                debug_assert_eq!((types, strings), (reading.next_type, reading.next_string));
                config::require(&input).map(|config| {
                    let config = Rc::new(config);
                    *last = Some((read_config, Rc::clone(&config)));
                    config
                })
            }
        };
        drop(last);
        let missing = || Error::from_reason("read.js gave no state or redirectUri");
        let state = reading.take_part()?.ok_or_else(missing)?;
        let redirect_uri = reading.take_part()?.ok_or_else(missing)?;
        let scope = reading.take_part()?;
        let user_agent = match reading.take_part()? {
            Some(Part::Converted(range)) => Some(utf8_lossy(&reading.units[range])),
            _ => None,
        };
        let read = AuthorizationRead {
            units: reading.units,
            state,
            redirect_uri,
            scope,
            user_agent,
        };
        Ok((config, read))
    }
}

/// A JS value as a schema sees it, with the JS values of the fields it read (to hand back the
/// very values that were checked, as zod does).
pub struct Shaped<'env> {
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
fn well_formed_string(value: &Unknown) -> Result<Option<String>> {
    let units = value.coerce_to_string()?.into_utf16()?;
    // napi's buffer ends with the NUL terminator it writes.
    let units = units.as_slice();
    let units = units.strip_suffix(&[0]).unwrap_or(units);
    Ok(String::from_utf16(units).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_js_gets_the_key_lists_in_the_order_of_their_numbers() {
        for (index, keys) in Keys::ALL.iter().enumerate() {
            assert_eq!(*keys as usize, index);
        }
        let fields: Vec<_> = config::FIELDS.iter().map(|field| field.key).collect();
        assert_eq!(CONFIG_KEYS.to_vec(), fields);
    }

    #[test]
    fn utf16_decoding_matches_napis() {
        let units: Vec<u16> = "a\u{e9}\u{1f600}".encode_utf16().collect();
        assert_eq!(utf8_lossy(&units), "a\u{e9}\u{1f600}");
        assert_eq!(utf8_strict(&units).as_deref(), Some("a\u{e9}\u{1f600}"));
        assert_eq!(utf8_lossy(&[0x61, 0xd800, 0x62]), "a\u{fffd}b");
        assert_eq!(utf8_strict(&[0x61, 0xd800, 0x62]), None);
        assert_eq!(utf8_lossy(&[0x41, 0x7f]), "A\u{7f}");
    }
}
