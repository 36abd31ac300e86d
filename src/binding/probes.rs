//! A panic on purpose, synchronously or on the I/O runtime, so that the tests and the release
//! smoke test can show that a Rust panic reaches JS as an error and the process lives on. Not in
//! the typings users read.

use napi::bindgen_prelude::*;
use napi::Env;
use napi_derive::napi;

/// Panics where `place` says: `"sync"` in the call, `"async"` on the I/O runtime.
#[napi(skip_typescript, js_name = "__panicProbe", catch_unwind)]
pub fn panic_probe(env: &Env, place: String) -> Result<PromiseRaw<'_, ()>> {
    if place == "sync" {
        panic!("deliberate panic (panicProbe, sync)");
    }
    env.spawn_future(async move {
        if place == "async" {
            panic!("deliberate panic (panicProbe, async)");
        }
        Ok(())
    })
}
