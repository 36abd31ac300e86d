//! The WeChat Web connector's logic, without Node: everything the napi binding (the crate at the
//! repository's root) hands JS values to and turns results of. No napi types (the crate does not
//! depend on napi) and no unsafe code.

pub mod authorization;
pub mod check;
pub mod config;
pub mod error;
pub mod flow;
pub mod redact;
pub mod reply;
pub mod schema;
pub mod wechat;
