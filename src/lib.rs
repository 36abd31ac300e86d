//! A Rust-native WeChat Web social connector for Logto.
//!
//! The core (`config`, `authorization`, `wechat`, `reply`, `flow`, `check`, `error`, `schema`) has no
//! napi types and no unsafe code; `binding` adapts it to Node, with connector-kit's signatures.

pub mod authorization;
pub mod check;
pub mod config;
pub mod error;
pub mod flow;
pub mod redact;
pub mod reply;
pub mod schema;
pub mod wechat;

pub mod binding;

/// One I/O thread for all requests. The connector only waits on sockets; a single worker avoids
/// the work-stealing wake-ups of a pool sized to the machine, next to Node's own thread (measured
/// in benchmark/). If it cannot be built, napi's default runtime is used.
#[napi_derive::module_init]
fn init() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("wechat-connector-io")
        .enable_all()
        .build();
    if let Ok(runtime) = runtime {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}
