//! The napi layer, and the only code that knows napi: JS values in through napi-rs's typed
//! conversions, the core's plain types out, one result object back per call. It decides nothing;
//! the core does.

pub mod connector;
pub mod input;
pub mod probes;
pub mod results;
