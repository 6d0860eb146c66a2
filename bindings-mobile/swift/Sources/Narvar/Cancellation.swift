/// uniffi's Swift `async` functions do not pass `Task` cancellation on to Rust. Wrap a call in
/// `withNarvarCancellation` and pass the token in its `CallOptions`: cancelling the task
/// cancels the token, which drops the Rust future and its HTTP request at once, and the call
/// throws `CancellationError`.
///
/// ```swift
/// let order = try await withNarvarCancellation { token in
///     try await client.orders().get(orderNumber: "1001", options: CallOptions(cancel: token))
/// }
/// ```
public func withNarvarCancellation<T>(_ body: (CancellationToken) async throws -> T) async throws -> T {
    let token = CancellationToken()
    do {
        return try await withTaskCancellationHandler {
            try await body(token)
        } onCancel: {
            token.cancel()
        }
    } catch NarvarError.cancelled {
        throw CancellationError()
    }
}
