//! The napi layer, and the only code that knows napi: JS values in, the core's plain types out,
//! result objects back. It makes no decision of its own; the core (config, authorization, flow)
//! makes them all. Written with napi-rs's safe API only. `read.js`, which `values` compiles once
//! per Node environment, reads a call's JS values in one N-API call; it decides nothing either.

pub mod connector;
pub mod objects;
pub mod probes;
pub mod values;
