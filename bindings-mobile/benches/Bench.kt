// Kotlin `orders.get` loops against the sandbox, the suspend call and its blocking twin
// (`getBlocking`), vs the Rust client's loop (benches/client_loop.rs), interleaved round by round
// in the same run; by hand, not in CI: bash bindings-mobile/benches/run.sh
// The sandbox runs on CPU 0, the JVM and the Rust loop on CPU 1.
package narvar.benches

import dev.narvar.*
import kotlinx.coroutines.runBlocking
import java.math.BigDecimal

const val N = 400
const val ROUNDS = 15

fun main(args: Array<String>) = runBlocking {
    val (sandboxBinary, rustLoop) = args
    val sandbox = ProcessBuilder("taskset", "-c", "0", sandboxBinary, "--port", "0").start()
    val url = sandbox.inputStream.bufferedReader().readLine().trim().split(" ").last()
    val client = Client(ClientConfig(baseUrl = url, accountId = "acme", authToken = Secret("tok_test_acme"), noRateBudget = true))
    client.orders().create(OrderInfo(
        orderNumber = "BENCH-1", orderDate = "2024-03-09T17:45:00Z", currencyCode = "USD",
        orderItems = (0 until 8).map { i -> OrderItem(sku = "SKU-$i", itemId = "L$i", name = "Blue mug $i", quantity = 2,
            unitPrice = BigDecimal("14.5"), itemImage = "https://cdn.example.test/$i.png", fulfillmentStatus = FulfillmentStatus.NotShipped) },
        customer = Customer(customerId = "C-88", email = "ada@example.test"),
    ))
    val rust = ProcessBuilder(rustLoop).also { it.environment()["NARVAR_BENCH_URL"] = url }.redirectError(ProcessBuilder.Redirect.INHERIT).start()
    val rustIn = rust.outputStream.bufferedWriter()
    val rustOut = rust.inputStream.bufferedReader()
    fun rustRound(n: Int): Double { rustIn.write("$n\n"); rustIn.flush(); return rustOut.readLine().trim().toDouble() }
    suspend fun kotlinRound(n: Int): Double {
        val t = System.nanoTime()
        repeat(n) { check(client.orders().get("BENCH-1").orderItems[0].sku == "SKU-0") }
        return (System.nanoTime() - t) / 1e3 / n
    }
    fun blockingRound(n: Int): Double {
        val t = System.nanoTime()
        repeat(n) { check(client.orders().getBlocking("BENCH-1").orderItems[0].sku == "SKU-0") }
        return (System.nanoTime() - t) / 1e3 / n
    }
    repeat(5) { kotlinRound(N); blockingRound(N); rustRound(N) } // warm-up: JIT, connections
    // Each round: suspend, blocking, Rust; ratios are per round, against that round's Rust loop.
    val rounds = (1..ROUNDS).map { Triple(kotlinRound(N), blockingRound(N), rustRound(N)) }
    fun median(xs: List<Double>) = xs.sorted()[xs.size / 2]
    println("sequential orders.get, $ROUNDS interleaved rounds of $N:")
    for ((name, pick) in listOf<Pair<String, (Triple<Double, Double, Double>) -> Double>>(
        "Kotlin suspend " to { it.first }, "Kotlin blocking" to { it.second }, "Rust client    " to { it.third })) {
        println("  $name best %.1f µs, median %.1f µs".format(rounds.minOf(pick), median(rounds.map(pick))))
    }
    println("  suspend / Rust client: median of per-round ratios %.2fx (goal <= 1.3x)".format(median(rounds.map { it.first / it.third })))
    println("  blocking / Rust client: median of per-round ratios %.2fx (goal <= 1.3x)".format(median(rounds.map { it.second / it.third })))
    rustIn.close(); rust.waitFor()
    client.close()
    sandbox.destroy()
}
