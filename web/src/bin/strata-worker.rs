//! The database worker's entry point (the `strata-worker` module, which carries SQLite and the
//! engine). The page starts it in a dedicated worker; natively it has nothing to do.

fn main() {
    #[cfg(target_arch = "wasm32")]
    strata_web::start_worker();
}
