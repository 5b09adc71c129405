//! The `hf://` source parser: any text is refused or parsed, and a parsed source prints back as
//! text that parses to the same source.
#![no_main]

use evaldeck::source::HubSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(Ok(source)) = HubSource::parse(text) {
        let printed = source.to_string();
        let again = HubSource::parse(&printed)
            .expect("hf://")
            .expect("parses again");
        assert_eq!(again, source);
        assert!(!source.repo_id.contains(".."));
    }
});
