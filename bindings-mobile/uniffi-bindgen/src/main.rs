//! `uniffi-bindgen generate --library target/.../libnarvar_mobile.so --language kotlin|swift`:
//! writes the Kotlin and Swift halves of the mobile binding (see `scripts/gen-mobile.sh`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
