// The mobile binding's tests, in Kotlin on the JVM, against the sandbox over loopback:
//   java ... narvar.tests.TestsKt <narvar-sandbox binary> <tests/vectors dir>
// Prints each test, then `N passed, N failed`; exits 1 on any failure.
package narvar.tests

import dev.narvar.*
import kotlinx.coroutines.*
import java.io.File
import java.math.BigDecimal

class Failed(message: String) : Exception(message)

fun check(ok: Boolean, what: () -> String) { if (!ok) throw Failed(what()) }
fun <T> eq(got: T, want: T, what: String = "") = check(got == want) { "$what: got $got, want $want" }

suspend inline fun <reified E : Throwable> throws(block: suspend () -> Unit): E {
    try { block() } catch (e: Throwable) { if (e is E) return e; throw Failed("expected ${E::class.simpleName}, got $e") }
    throw Failed("expected ${E::class.simpleName}, nothing was thrown")
}

fun order(n: String, items: List<OrderItem>? = null, extra: Map<String, String> = emptyMap()) = OrderInfo(
    orderNumber = n, orderDate = "2024-03-09T17:45:00Z", currencyCode = "USD",
    orderItems = items ?: listOf(
        OrderItem(sku = "MUG", itemId = "L1", name = "Blue mug", quantity = 2, unitPrice = BigDecimal("14.5")),
        OrderItem(sku = "CUP", name = "Cup", quantity = 1, unitPrice = BigDecimal("3.00")),
    ),
    shipments = listOf(Shipment(
        carrier = "usps", trackingNumber = "T-$n", shipDate = "2024-03-10",
        itemsInfo = listOf(ItemInfo(sku = "MUG", itemId = "L1", quantity = 2)),
        shippedTo = Contact(firstName = "Ada", address = Address(street1 = "12 Elm St", zip = "78701", country = "US")),
    )),
    customer = Customer(email = "ada@example.test"),
    extra = extra,
)

fun aReturn(n: String) = ReturnRequest(
    orderNumber = n, billingZip = "78701", carrier = "usps",
    orderItems = listOf(ReturnItem(sku = "MUG", quantity = 1, returnReasonCode = "DAMAGED")),
)

val glsAccount = CarrierAccountRequest(
    carrierMoniker = "gls", capabilities = listOf(Capability.ReturnsLabel), products = listOf(Product.Returns),
    accountAlias = "acme-gls",
    credentials = CarrierCredentials.GlsCredentials(GlsCredentials(username = "u", password = Secret("pw_gls_1"), shipperContactId = "1")),
)

class Suite(val sandbox: Sandbox, val vectors: File) {
    val tests = LinkedHashMap<String, suspend () -> Unit>()
    fun test(name: String, body: suspend () -> Unit) { tests[name] = body }

    fun client(timeoutMs: ULong? = null, maxAttempts: UInt? = null) = sandbox.client(timeoutMs = timeoutMs, maxAttempts = maxAttempts)

    init {
        test("every operation of the registry, typed, against the sandbox") {
            val c = client()
            val created = c.orders().create(order("1001"))
            eq(created.status, EnvelopeStatus.Success, "orders.create status")
            val o = c.orders().get("1001")
            eq(o.orderItems[0].quantity, 2L, "quantity")
            eq(o.orderItems[1].unitPrice?.compareTo(BigDecimal("3")), 0, "unit price")
            c.orders().addShipments("1001", listOf(Shipment(carrier = "ups", trackingNumber = "1Z", itemsInfo = listOf(ItemInfo(sku = "CUP", quantity = 1)))))
            eq(c.tracking().byOrder("1001").shipments.size, 2, "tracked shipments")
            eq(c.tracking().info("usps", listOf("T-1001")).shipments[0].trackingNumber, "T-1001", "tracking.info")
            eq(c.tracking().itemVisibility("1001", destinationZip = "78701").masked, false, "masked")
            val label = c.returns().generateLabel(aReturn("1001"))
            eq(label.returnReferenceNumber?.length, 16, "return reference number")
            eq(c.returns().getLabel(label.returnReferenceNumber!!).orderNumber, "1001", "returns.get_label")
            val v2 = c.returns().create(aReturn("1001"))
            eq(c.returns().get(v2.returnReferenceNumber!!).returnStatus, ReturnStatus.Initiated, "return status")
            eq(c.carriers().list(products = listOf(Product.Delivery)).carriers.map { it.carrierMoniker }.sorted(), listOf("fedex", "gls"), "carriers")
            check(c.carriers().get("fedex").carrierServices.isNotEmpty()) { "fedex has services" }
            c.carriers().enable("fedex", capabilities = listOf(Capability.ReturnsLabel), products = listOf(Product.Returns),
                carrierServiceConfigurations = listOf(CarrierServiceRequest(serviceName = "FEDEX_X")))
            c.carriers().disable("fedex", "FEDEX_X")
            val acc = c.carrierAccounts().create(glsAccount)
            check(acc.accountIdentifier != null && acc.credentials == null) { "the account is created and its credentials are not echoed: $acc" }
            eq(c.carrierAccounts().get("acme-gls").carrierMoniker, "gls", "carrier_accounts.get")
            eq(c.carrierAccounts().list().carrierAccounts.map { it.accountAlias }, listOf("acme-gls"), "carrier_accounts.list")
            c.carrierAccounts().update(CarrierAccountUpdateRequest(carrierMoniker = "gls", accountAlias = "acme-gls", isActive = false))
            c.carrierAccounts().delete("acme-gls")
            val where = PromiseDestination(postalCode = "78701", country = "US")
            val opts = c.promise().options(destination = where, items = listOf(PromiseItem(sku = "MUG")))
            c.promise().publicOptions(destination = where, items = listOf(PromiseItem(sku = "MUG")))
            val pid = opts.cartDeliveryOptions!!.deliveryOptions[0].promiseId!!
            eq(c.promise().confirm(orderId = "1001", selectedDeliveryOptions = listOf(SelectedDeliveryOption(promiseId = pid))).orderId, "1001", "confirm")
            val served = sandbox.requests().filter { it["status"] == 200L }.map { it["operation"] }.toSet()
            eq(served, operations().toSet(), "operations served")
        }

        test("records keep unknown fields and open enums keep unknown values") {
            val c = client()
            val odd = listOf(OrderItem(sku = "MUG", quantity = 1, fulfillmentStatus = FulfillmentStatus.Other("TELEPORTED")))
            c.orders().create(order("1002", items = odd, extra = mapOf("loyalty_tier" to "\"gold\"")).copy(shipments = listOf()))
            val o = c.orders().get("1002")
            eq(o.extra["loyalty_tier"], "\"gold\"", "unknown field, as JSON text")
            eq(o.orderItems[0].fulfillmentStatus, FulfillmentStatus.Other("TELEPORTED"), "unknown enum value")
            eq(o, c.orders().get("1002"), "records compare by value")
        }

        test("the journey of an order, in time order") {
            val c = client()
            c.orders().create(order("1001"))
            sandbox.advance(41)
            c.returns().create(aReturn("1001"))
            sandbox.advance(30)
            val steps = c.journey("1001").entries.map { it.status }
            eq(steps, listOf(JourneyStatus.OrderPlaced, JourneyStatus.Shipped, JourneyStatus.LabelCreated, JourneyStatus.InTransit,
                JourneyStatus.OutForDelivery, JourneyStatus.Delivered, JourneyStatus.ReturnInitiated, JourneyStatus.ReturnInTransit), "journey")
        }

        test("each error type, with its fields") {
            val c = client()
            val v = throws<NarvarException.Validation> { c.orders().create(order("1", items = listOf(OrderItem(sku = "A", quantity = 0)))) }
            eq(v.fieldErrors.map { it.path to it.rule }, listOf("order_info.order_items[0].quantity" to "min", "order_info.shipments[0].items_info" to "exceeds_ordered"), "field errors")
            eq(v.code, "validation", "code")
            val nf = throws<NarvarException.NotFound> { c.orders().get("nope") }
            check(nf.status == 200.toUShort() && nf.requestId != null && nf.messages[0].code == "order.not_found") { "not found: $nf" }
            val base: NarvarException = nf
            eq(base.code to base.requestId, "not_found" to nf.requestId, "fields on the base class")
            val wrong = Client(sandbox.config().copy(authToken = Secret("tok_wrong")))
            val au = throws<NarvarException.Authentication> { wrong.orders().get("1") }
            check(au.status == 401.toUShort() && "tok_wrong" !in au.toString() + au.message) { "authentication: $au" }
            c.carrierAccounts().create(glsAccount)
            throws<NarvarException.Conflict> { c.carrierAccounts().create(glsAccount) }
            sandbox.fault(mapOf("operation" to "orders.get", "kind" to "status", "status" to 429, "retry_after" to 2, "times" to 1))
            val rl = throws<NarvarException.RateLimited> { client(maxAttempts = 1u).orders().get("1") }
            eq(rl.retryAfterSecs to rl.status, 2.0 to 429.toUShort(), "rate limited")
            sandbox.fault(mapOf("operation" to "orders.get", "kind" to "status", "status" to 503, "times" to 1))
            throws<NarvarException.Server> { client(maxAttempts = 1u).orders().get("1") }
            sandbox.fault(mapOf("operation" to "orders.get", "kind" to "status", "status" to 403, "times" to 1))
            throws<NarvarException.Permission> { client(maxAttempts = 1u).orders().get("1") }
            c.orders().create(order("1001"))
            sandbox.fault(mapOf("operation" to "returns.create", "kind" to "drop_after", "times" to 1))
            val tr = throws<NarvarException.Transport> { c.returns().create(aReturn("1001")) }
            eq(tr.mayHaveBeenSent, true, "may have been sent")
            val cf = throws<NarvarException.Configuration> { Client(ClientConfig(baseUrl = sandbox.url)) }
            check("NARVAR_ACCOUNT_ID" in cf.reason) { cf.reason }
            // Half of a credential pair is refused when the client is made, named as Kotlin spells it.
            val half = throws<NarvarException.Configuration> { Client(ClientConfig(baseUrl = sandbox.url, authToken = Secret("t"), bearerToken = Secret("b"))) }
            eq(half.reason, "accountId and authToken go together (HTTP Basic credentials): accountId is missing.", "half a Basic pair")
            throws<NarvarException.Configuration> { c.orders().get("1", CallOptions(timeoutMs = 0uL)) }
            throws<NarvarException.Decode> { readResponse("orders.get", 200u, mapOf(), "<html>".toByteArray()) }
            eq(throws<NarvarException.Validation> { c.callJson("orders.get", "{not json") }.code, "validation", "bad JSON text")
        }

        test("every bad-input vector fails before sending, with the core's paths") {
            val bad = cases().filter { it["expect_request"] == null && (it["expect_error"] as Map<*, *>)["code"] == "validation" }
            check(bad.size >= 30) { "${bad.size} bad-input vectors" }
            val c = client()
            for (case in bad) {
                val e = throws<NarvarException.Validation> { c.callJson(case["operation"] as String, Json.write(case["input"])) }
                val want = ((case["expect_error"] as Map<*, *>)["field_errors"] as List<*>).map { (it as Map<*, *>).let { f -> "${f["path"]} ${f["rule"]}" } }.sorted()
                eq(e.fieldErrors.map { "${it.path} ${it.rule}" }.sorted(), want, case["name"] as String)
            }
            eq(sandbox.requests(), listOf(), "nothing reached the sandbox")
        }

        test("all conformance vectors replay through the binding") {
            val all = cases()
            check(all.size >= 124) { "${all.size} vectors" }
            for (case in all) replay(case)
        }

        test("100 concurrent coroutines") {
            val c = client()
            c.orders().create(order("1001"))
            val results = coroutineScope { (1..100).map { async(Dispatchers.Default) { c.orders().get("1001") } }.awaitAll() }
            eq(results.count { it.orderNumber == "1001" }, 100, "results")
        }

        test("cancelling the coroutine during a stalled body ends the request within 100 ms and closes the connection") {
            Relay(sandbox.url).use { relay ->
                val c = sandbox.client(baseUrl = relay.url)
                c.orders().create(order("1001"))
                sandbox.fault(mapOf("operation" to "orders.get", "kind" to "stall_body", "times" to 1))
                coroutineScope {
                    val job = async { c.orders().get("1001") }
                    delay(150) // the headers are in, the body stalls
                    val before = relay.closed.size
                    val t0 = System.nanoTime()
                    job.cancelAndJoin()
                    val tookMs = (System.nanoTime() - t0) / 1e6
                    check(job.isCancelled && tookMs < 100) { "cancelled after $tookMs ms" }
                    check(relay.closedSince(before)) { "the in-flight connection was closed" }
                    println("    cancel: coroutine ended in ${"%.1f".format(tookMs)} ms, connection closed ${"%.1f".format((relay.closed.last() - t0) / 1e6)} ms after")
                }
                eq(c.orders().get("1001").orderNumber, "1001", "the client goes on working")
            }
        }

        test("a CancellationToken (Swift's way) ends a stalled request within 100 ms and closes the connection") {
            Relay(sandbox.url).use { relay ->
                val c = sandbox.client(baseUrl = relay.url)
                c.orders().create(order("1001"))
                sandbox.fault(mapOf("operation" to "orders.get", "kind" to "stall_body", "times" to 1))
                val token = CancellationToken()
                coroutineScope {
                    val call = async { runCatching { c.orders().get("1001", CallOptions(cancel = token)) } }
                    delay(150)
                    val before = relay.closed.size
                    val t0 = System.nanoTime()
                    token.cancel()
                    val outcome = call.await()
                    val tookMs = (System.nanoTime() - t0) / 1e6
                    check(outcome.exceptionOrNull() is NarvarException.Cancelled && tookMs < 100) { "outcome $outcome after $tookMs ms" }
                    check(relay.closedSince(before)) { "the in-flight connection was closed" }
                }
                val sent = sandbox.requests().size
                throws<NarvarException.Cancelled> { c.orders().get("1001", CallOptions(cancel = token)) }
                eq(sandbox.requests().size, sent, "an already-cancelled token sends nothing")
            }
        }

        test("timeoutMs bounds a call, retries included") {
            val c = client()
            c.orders().create(order("1001"))
            sandbox.fault(mapOf("operation" to "orders.get", "kind" to "delay", "delay_ms" to 3000))
            val t0 = System.nanoTime()
            throws<NarvarException.Transport> { c.orders().get("1001", CallOptions(timeoutMs = 200uL)) }
            check((System.nanoTime() - t0) / 1e6 < 1500) { "took too long" }
            val t1 = System.nanoTime()
            throws<NarvarException.Transport> { c.orders().getBlocking("1001", CallOptions(timeoutMs = 200uL)) }
            check((System.nanoTime() - t1) / 1e6 < 1500) { "the blocking call took too long" }
            throws<NarvarException.Transport> { client(timeoutMs = 200uL).orders().get("1001") }
        }

        test("secrets never appear in toString") {
            val config = sandbox.config()
            val text = config.toString() + glsAccount.toString() + glsAccount.credentials.toString()
            for (secret in listOf(sandbox.account.getValue("NARVAR_AUTH_TOKEN"), sandbox.account.getValue("NARVAR_HMAC_KEY"), "pw_gls_1")) {
                check(secret !in text) { "a secret is printed: $text" }
            }
            check("Secret(redacted)" in text) { text }
        }

        test("shutdown frees the client; later calls are a Configuration error") {
            val c = client()
            val orders = c.orders()
            check(orders === c.orders()) { "one family object per client" }
            c.shutdown()
            check(c.isShutDown()) { "shut down" }
            throws<NarvarException.Configuration> { orders.get("1001") }
            throws<NarvarException.Configuration> { orders.getBlocking("1001") }
            throws<NarvarException.Configuration> { c.drift() }
        }

        test("the library's I/O threads stay attached to the JVM between calls, as daemon threads") {
            val c = client()
            c.orders().create(order("1001"))
            repeat(50) { c.orders().get("1001") }
            val io = Thread.getAllStackTraces().keys.filter { it.name == "narvar-io" }
            check(io.isNotEmpty()) { "no narvar-io thread stays attached: each callback attaches and detaches one" }
            check(io.all { it.isDaemon }) { "a narvar-io thread is not a daemon: it would keep the JVM alive" }
        }

        test("blocking twins: each family's calls, the journey and the errors, on the calling thread") {
            val c = client()
            eq(c.orders().createBlocking(order("1001")).status, EnvelopeStatus.Success, "orders.createBlocking")
            eq(c.orders().getBlocking("1001").orderItems[0].quantity, 2L, "orders.getBlocking")
            eq(c.tracking().byOrderBlocking("1001").shipments.size, 1, "tracking.byOrderBlocking")
            val v2 = c.returns().createBlocking(aReturn("1001"))
            eq(c.returns().getBlocking(v2.returnReferenceNumber!!).returnStatus, ReturnStatus.Initiated, "returns.getBlocking")
            eq(c.carriers().listBlocking(products = listOf(Product.Delivery)).carriers.size, 2, "carriers.listBlocking")
            c.carrierAccounts().createBlocking(glsAccount)
            eq(c.carrierAccounts().getBlocking("acme-gls").carrierMoniker, "gls", "carrierAccounts.getBlocking")
            val where = PromiseDestination(postalCode = "78701", country = "US")
            check(c.promise().optionsBlocking(destination = where, items = listOf(PromiseItem(sku = "MUG"))).cartDeliveryOptions != null) { "promise" }
            eq(c.journeyBlocking("1001").entries.first().status, JourneyStatus.OrderPlaced, "journeyBlocking")
            val sent = sandbox.requests().size
            val v = throws<NarvarException.Validation> { c.orders().createBlocking(order("1", items = listOf(OrderItem(sku = "A", quantity = 0)))) }
            eq(v.fieldErrors.map { it.path }.first(), "order_info.order_items[0].quantity", "field error path")
            eq(sandbox.requests().size, sent, "bad input sends nothing")
            val nf = throws<NarvarException.NotFound> { c.orders().getBlocking("nope") }
            check(nf.requestId != null && nf.messages[0].code == "order.not_found") { "not found: $nf" }
            throws<NarvarException.Conflict> { c.carrierAccounts().createBlocking(glsAccount) }
        }

        test("blocking calls from 16 threads at once, 25 each") {
            val c = client()
            c.orders().create(order("1001"))
            val ok = java.util.concurrent.atomic.AtomicInteger()
            val errors = java.util.concurrent.ConcurrentLinkedQueue<Throwable>()
            val threads = (1..16).map { Thread { repeat(25) { runCatching { c.orders().getBlocking("1001") }.fold({ if (it.orderNumber == "1001") ok.incrementAndGet() }, { errors += it }) } } }
            threads.forEach { it.start() }
            threads.forEach { it.join() }
            eq(errors.toList(), listOf(), "errors")
            eq(ok.get(), 400, "results")
        }

        test("each argument and result buffer arrives intact: 8 threads x 300 calls of three strings, wrapping each thread's buffer ring") {
            // patch_kotlin.py change 4: a RustBuffer.ByValue's memory is a slot of its thread's
            // ring (256 slots); each buildRequest lowers three strings and returns one.
            val wrong = java.util.concurrent.ConcurrentLinkedQueue<String>()
            val threads = (1..8).map { t ->
                Thread {
                    repeat(300) { i ->
                        val number = "T$t-$i-" + "x".repeat(i % 40)
                        val built = runCatching { Json.parse(buildRequest("orders.get", Json.write(mapOf("order_number" to number)), Json.write(mapOf("tracer_id" to "tr-$t-$i")))) as Map<*, *> }
                        val path = built.getOrNull()?.get("path") as? String
                        val tracer = (built.getOrNull()?.get("headers") as? List<*>)?.firstNotNullOfOrNull { (it as? List<*>)?.takeIf { h -> h[0] == "X-Narvar-Tracer-ID" }?.get(1) }
                        if (path?.endsWith("/$number") != true || tracer != "tr-$t-$i") wrong += "thread $t call $i: $built"
                    }
                }
            }
            threads.forEach { it.start() }
            threads.forEach { it.join() }
            eq(wrong.take(3), listOf(), "calls whose path or tracer id is not their own")
        }

        test("a CancellationToken cancelled from another thread ends a stalled blocking call within 100 ms and closes the connection") {
            Relay(sandbox.url).use { relay ->
                val c = sandbox.client(baseUrl = relay.url)
                c.orders().create(order("1001"))
                sandbox.fault(mapOf("operation" to "orders.get", "kind" to "stall_body", "times" to 1))
                val token = CancellationToken()
                var outcome: Result<OrderInfo>? = null
                var ended = 0L
                val caller = Thread { outcome = runCatching { c.orders().getBlocking("1001", CallOptions(cancel = token)) }; ended = System.nanoTime() }
                caller.start()
                Thread.sleep(150) // the headers are in, the body stalls
                val before = relay.closed.size
                val t0 = System.nanoTime()
                token.cancel()
                caller.join(2000)
                val tookMs = (ended - t0) / 1e6
                check(outcome?.exceptionOrNull() is NarvarException.Cancelled && tookMs < 100) { "outcome $outcome after $tookMs ms" }
                check(relay.closedSince(before)) { "the in-flight connection was closed" }
                println("    blocking cancel: the call returned in ${"%.1f".format(tookMs)} ms")
                eq(c.orders().getBlocking("1001").orderNumber, "1001", "the thread's connections go on working")
            }
        }

        test("a blocking call from a coroutine that resumed on the library's I/O thread") {
            val c = client()
            c.orders().create(order("1001"))
            val threads = mutableSetOf<String>()
            withContext(Dispatchers.Unconfined) {
                repeat(20) {
                    c.orders().get("1001") // resumes on the thread that completed the call
                    threads += Thread.currentThread().name
                    eq(c.orders().getBlocking("1001").orderNumber, "1001", "blocking on ${Thread.currentThread().name}")
                }
            }
            check("narvar-io" in threads) { "never resumed on an I/O thread: $threads" }
        }

        test("10,000 calls with flat native memory") {
            val c = client()
            c.orders().create(order("1001"))
            repeat(2000) { c.orders().get("1001") }
            val start = nativeHeapBytes()
            repeat(10_000) { c.orders().get("1001") }
            val perCall = (nativeHeapBytes() - start).toDouble() / 10_000
            println("    memory: the library's heap changed by %.2f bytes per call over 10,000 calls (%.2f MB held at the end)".format(perCall, nativeHeapBytes() / 1e6))
            check(perCall < 8) { "the library's heap grows $perCall bytes per call" }
            repeat(2000) { c.orders().getBlocking("1001") }
            val startBlocking = nativeHeapBytes()
            repeat(10_000) { c.orders().getBlocking("1001") }
            val perBlockingCall = (nativeHeapBytes() - startBlocking).toDouble() / 10_000
            println("    memory: %.2f bytes per blocking call over 10,000".format(perBlockingCall))
            check(perBlockingCall < 8) { "the library's heap grows $perBlockingCall bytes per blocking call" }
        }
    }

    @Suppress("UNCHECKED_CAST")
    fun cases(): List<Map<String, Any?>> = vectors.listFiles { f -> f.name.endsWith(".json") }!!.sorted()
        .flatMap { Json.parse(it.readText()) as List<Map<String, Any?>> }

    private fun subset(want: Any?, got: Any?, at: String) {
        when (want) {
            is Map<*, *> -> { check(got is Map<*, *>) { "$at: $got" }; for ((k, v) in want) { check(k in (got as Map<*, *>)) { "$at.$k is missing" }; subset(v, got[k], "$at.$k") } }
            is List<*> -> { check(got is List<*> && got.size == want.size) { "$at: $got" }; want.forEachIndexed { i, w -> subset(w, (got as List<*>)[i], "$at[$i]") } }
            is Number -> check(got is Number && got.toDouble() == want.toDouble() || got is String && got.toDouble() == want.toDouble()) { "$at: got $got, want $want" }
            else -> eq(got, want, at)
        }
    }

    private fun checkError(e: NarvarException, want: Map<*, *>, name: String) {
        eq(e.code, want["code"], "$name: code (${e.reason})")
        want["status"]?.let { eq(e.status?.toLong(), it, "$name: status") }
        want["request_id"]?.let { eq(e.requestId, it, "$name: request id") }
        want["retry_after"]?.let { eq(e.retryAfterSecs, (it as Number).toDouble(), "$name: retry after") }
        want["message_codes"]?.let { eq(e.messages.map { m -> m.code }, it, "$name: message codes") }
        want["message_contains"]?.let { check(e.reason.contains(it as String)) { "$name: ${e.reason}" } }
        want["field_errors"]?.let { f -> eq(e.fieldErrors.map { "${it.path} ${it.rule}" }.sorted(), (f as List<*>).map { (it as Map<*, *>).let { x -> "${x["path"]} ${x["rule"]}" } }.sorted(), "$name: field errors") }
    }

    @Suppress("UNCHECKED_CAST")
    private fun replay(case: Map<String, Any?>) {
        val name = case["name"] as String
        val op = case["operation"] as String
        val built = runCatching { Json.parse(buildRequest(op, Json.write(case["input"]), Json.write(case["context"] ?: mapOf<String, Any>()))) as Map<String, Any?> }
        val want = case["expect_request"] as Map<String, Any?>?
        if (want == null) {
            val e = built.exceptionOrNull() as? NarvarException ?: throw Failed("$name: building should fail, got $built")
            return checkError(e, case["expect_error"] as Map<*, *>, name)
        }
        val req = built.getOrElse { throw Failed("$name: $it") }
        eq(req["method"] to req["path"], want["method"] to want["path"], name)
        val headers = (req["headers"] as List<List<String>>).associate { it[0].lowercase() to it[1] }
        for ((k, v) in want["headers"] as Map<String, Any?>) eq(headers[k.lowercase()], v, "$name: header $k")
        for (k in (want["absent_headers"] as List<String>?) ?: listOf()) check(k.lowercase() !in headers) { "$name: $k is sent" }
        eq(req["body"], want["body"], "$name: body")
        val r = case["response"] as Map<String, Any?>
        val body = if ("body" in r) Json.write(r["body"]) else (r["body_text"] as String?) ?: ""
        val read = runCatching {
            Json.parse(readResponse(op, (r["status"] as Long).toUShort(), (r["headers"] as Map<String, String>?) ?: mapOf(), body.toByteArray()))
        }
        if ("expect_output" in case) subset(case["expect_output"], read.getOrElse { throw Failed("$name: $it") }, "$name: output")
        else checkError(read.exceptionOrNull() as? NarvarException ?: throw Failed("$name: reading should fail"), case["expect_error"] as Map<*, *>, name)
    }
}

fun main(args: Array<String>) {
    val failures = mutableListOf<String>()
    var passed = 0
    Sandbox(args[0]).use { sandbox ->
        val suite = Suite(sandbox, File(args[1]))
        for ((name, body) in suite.tests) {
            sandbox.reset()
            val t0 = System.nanoTime()
            val outcome = runCatching { runBlocking { withTimeout(120_000) { body() } } }
            val ms = (System.nanoTime() - t0) / 1_000_000
            if (outcome.isSuccess) { passed++; println("ok   $name ($ms ms)") }
            else { failures += name; println("FAIL $name ($ms ms)\n     ${outcome.exceptionOrNull()}") }
        }
    }
    println("$passed passed, ${failures.size} failed")
    kotlin.system.exitProcess(if (failures.isEmpty()) 0 else 1)
}
