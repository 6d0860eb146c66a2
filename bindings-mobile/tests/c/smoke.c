/* Calls into libnarvar_mobile through the generated C header, as the Swift module does:
 * the header compiles, the symbols link, the checksums match the generated Swift, a call
 * succeeds, a bad input comes back as the error's case, and a CancellationToken works.
 * Built with -DCONTRACT=... -DSUM_BUILD_REQUEST=... -DSUM_OPERATIONS=... read from Narvar.swift. */
#include <stdio.h>
#include <string.h>
#include "NarvarFFI.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL " __VA_ARGS__); printf("\n"); } else passed++; } while (0)
static int passed = 0;

static RustBuffer text(const char *s) {
    RustCallStatus status = {0};
    ForeignBytes bytes = {(int32_t)strlen(s), (const uint8_t *)s};
    return ffi_narvar_mobile_rustbuffer_from_bytes(bytes, &status);
}

static int contains(RustBuffer b, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= b.len; i++)
        if (memcmp(b.data + i, needle, n) == 0) return 1;
    return 0;
}

/* The case of an error: a 4-byte big-endian index, 1 for the first case (Validation). */
static int error_case(RustBuffer b) {
    return b.len < 4 ? -1 : (b.data[0] << 24) | (b.data[1] << 16) | (b.data[2] << 8) | b.data[3];
}

int main(void) {
    RustCallStatus status = {0};
    CHECK(ffi_narvar_mobile_uniffi_contract_version() == CONTRACT, "contract version %u", ffi_narvar_mobile_uniffi_contract_version());
    CHECK(uniffi_narvar_mobile_checksum_func_build_request() == SUM_BUILD_REQUEST, "build_request checksum");
    CHECK(uniffi_narvar_mobile_checksum_func_operations() == SUM_OPERATIONS, "operations checksum");

    RustBuffer req = uniffi_narvar_mobile_fn_func_build_request(text("orders.get"), text("{\"order_number\":\"A 1/x\"}"), text("{}"), &status);
    CHECK(status.code == 0, "build_request status %d", status.code);
    CHECK(contains(req, "/api/v1/orders/A%201%2Fx"), "the request's path is percent-encoded: %.*s", (int)req.len, req.data);
    CHECK(!contains(req, "tok_9f2"), "the auth token is only in the Authorization header, base64");
    ffi_narvar_mobile_rustbuffer_free(req, &status);

    status = (RustCallStatus){0};
    RustBuffer none = uniffi_narvar_mobile_fn_func_build_request(text("orders.get"), text("{\"order_number\":\"\"}"), text("{}"), &status);
    CHECK(status.code == 1, "a bad input is an error (status %d)", status.code);
    CHECK(error_case(status.errorBuf) == 1, "its case is Validation (%d)", error_case(status.errorBuf));
    CHECK(contains(status.errorBuf, "order_number"), "it names the field");
    ffi_narvar_mobile_rustbuffer_free(status.errorBuf, &status);
    ffi_narvar_mobile_rustbuffer_free(none, &status);

    status = (RustCallStatus){0};
    RustBuffer ops = uniffi_narvar_mobile_fn_func_operations(&status);
    CHECK(status.code == 0 && ops.len > 4 && ops.data[3] == 22, "22 operations");
    ffi_narvar_mobile_rustbuffer_free(ops, &status);

    uint64_t token = uniffi_narvar_mobile_fn_constructor_cancellationtoken_new(&status);
    CHECK(uniffi_narvar_mobile_fn_method_cancellationtoken_is_cancelled(uniffi_narvar_mobile_fn_clone_cancellationtoken(token, &status), &status) == 0, "a new token is not cancelled");
    uniffi_narvar_mobile_fn_method_cancellationtoken_cancel(uniffi_narvar_mobile_fn_clone_cancellationtoken(token, &status), &status);
    CHECK(uniffi_narvar_mobile_fn_method_cancellationtoken_is_cancelled(uniffi_narvar_mobile_fn_clone_cancellationtoken(token, &status), &status) == 1, "cancel() cancels it");
    uniffi_narvar_mobile_fn_free_cancellationtoken(token, &status);
    CHECK(status.code == 0, "calls succeeded");

    printf("C through the header: %d passed, %d failed\n", passed, failures);
    return failures ? 1 : 0;
}
