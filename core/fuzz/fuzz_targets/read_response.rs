//! Every operation's response reader on arbitrary bytes, status and headers: never a panic, a
//! success only on 2xx, every error with a message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use narvar_core::http::HttpResponse;
use narvar_core::REGISTRY;

fuzz_target!(|data: &[u8]| {
    let Some((&[hi, lo, header_len], rest)) = data.split_first_chunk::<3>() else { return };
    let status = u16::from_be_bytes([hi, lo]) % 700;
    let (headers, body) = rest.split_at((header_len as usize).min(rest.len()));
    let mut resp = HttpResponse::new(status, body.to_vec());
    // Header bytes become `Retry-After`, `Location` and a request id: the values readers parse.
    let text = String::from_utf8_lossy(headers);
    let mut parts = text.splitn(3, '\n');
    for name in ["Retry-After", "Location", narvar_core::http::REQUEST_ID_HEADER] {
        if let Some(v) = parts.next() {
            resp = resp.with_header(name, v);
        }
    }
    for entry in REGISTRY {
        match (entry.read)(&resp) {
            Ok(_) => assert!(resp.is_success(), "{} succeeded on {status}", entry.info.name),
            Err(e) => assert!(!e.message.is_empty()),
        }
        if let Ok(text) = (entry.read_text)(&resp) {
            // What bindings parse must be JSON.
            serde_json::from_str::<serde_json::Value>(&text).expect("read_text gives JSON");
        }
    }
    let _ = narvar_core::ops::read_label_download(&resp);
});
