//! The page's entry point (the `strata-web` module): it draws the app and starts the database
//! worker. Everything lives in the library so tests can reach it.

fn main() {
    strata_web::start_page();
}
