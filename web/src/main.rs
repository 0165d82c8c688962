//! The playground's entry point; everything lives in the library so tests can reach it.

fn main() {
    strata_web::start();
}
