//! A Rust-native WeChat Web social connector for Logto: the napi binding of the core
//! (`connector-wechat-web-core`, in core/), with connector-kit's signatures.

pub mod binding;

pub(crate) use connector_wechat_web_core::{
    authorization, check, config, error, flow, reply, schema, wechat,
};

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
