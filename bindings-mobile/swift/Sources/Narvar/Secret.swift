/// A secret (auth token, bearer token, HMAC key, carrier password): what `Secret` is in this
/// module. It never shows its value in `description`, `debugDescription` or a `Mirror`, so a
/// config or a record holding one can be printed.
///
/// ```swift
/// let config = ClientConfig(accountId: "acme", authToken: Secret("tok_live_..."))
/// print(config) // ... authToken: Optional(Secret(redacted)) ...
/// ```
public struct SecretString: Equatable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "Secret(redacted)" }
    public var debugDescription: String { "Secret(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
