//! Hands a file to the visitor: the browser's own download, from text the page already holds.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Starts the download of `text` as a file called `name`. Fails only when the browser refuses
/// to make the file, and then says so.
pub fn download_text(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    download(name, &parts, mime)
}

/// Starts the download of `bytes` as a file called `name`.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    download(name, &parts, mime)
}

fn download(name: &str, parts: &js_sys::Array, mime: &str) -> Result<(), String> {
    let fail =
        |what: &str| format!("the browser would not {what} for {name}; nothing was downloaded");
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(parts, &options)
        .map_err(|_| fail("make a file"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| fail("make a link"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("give access to the page"))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("make a link"))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The click has handed the file over; the URL is not needed any longer.
    let _ = Url::revoke_object_url(&url);
    Ok(())
}
