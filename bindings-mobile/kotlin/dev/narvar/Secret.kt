package dev.narvar

/**
 * A secret (auth token, bearer token, HMAC key, carrier password): what `Secret` is in this
 * package. Its `toString()` never shows the value, so a config or a record holding one can be
 * logged.
 *
 * ```kotlin
 * val config = ClientConfig(accountId = "acme", authToken = Secret("tok_live_..."))
 * println(config) // ... authToken=Secret(redacted) ...
 * ```
 */
class SecretString(internal val value: String) {
    override fun toString(): String = "Secret(redacted)"
    override fun equals(other: Any?): Boolean = other is SecretString && other.value == value
    override fun hashCode(): Int = value.hashCode()
}
