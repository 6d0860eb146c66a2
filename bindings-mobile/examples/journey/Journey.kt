// Prints an order's journey: what an app's order-status screen shows.
//
//   NARVAR_BASE_URL=... NARVAR_ACCOUNT_ID=... NARVAR_AUTH_TOKEN=... \
//     java -Djna.library.path=<dir of libnarvar_mobile.so> -cp ... narvar.examples.JourneyKt 1001
//
// Against a fresh sandbox it first places the order, so there is something to show.
package narvar.examples

import dev.narvar.*
import kotlinx.coroutines.runBlocking

fun main(args: Array<String>) = runBlocking {
    val orderNumber = args.firstOrNull() ?: "1001"
    Client.fromEnv(ClientConfig(noRateBudget = true)).use { client ->
        try {
            client.orders().get(orderNumber)
        } catch (e: NarvarException.NotFound) {
            client.orders().create(sampleOrder(orderNumber))
        }
        val journey = client.journey(orderNumber)
        println("order $orderNumber: ${journey.status.label()}")
        for (entry in journey.entries) {
            val at = entry.at ?: "(no time)"
            val tracking = entry.trackingNumber?.let { " [$it]" } ?: ""
            println("  $at  ${entry.status.label().padEnd(18)} ${entry.description}$tracking")
        }
        val p = journey.promise
        println("promise: ${p.verdict.name.lowercase()} (${p.onTime} on time, ${p.late} late, ${p.exception} exception, ${p.pending} pending)")
    }
}

fun JourneyStatus.label(): String = when (this) {
    is JourneyStatus.Other -> value
    else -> this::class.simpleName!!.replace(Regex("([a-z])([A-Z])"), "$1 $2").lowercase()
}

fun sampleOrder(orderNumber: String) = OrderInfo(
    orderNumber = orderNumber,
    orderDate = "2024-03-09T17:45:00Z",
    currencyCode = "USD",
    orderItems = listOf(OrderItem(sku = "MUG", itemId = "L1", name = "Blue mug", quantity = 2, unitPrice = java.math.BigDecimal("14.50"))),
    shipments = listOf(Shipment(carrier = "usps", trackingNumber = "T-$orderNumber", shipDate = "2024-03-10",
        itemsInfo = listOf(ItemInfo(sku = "MUG", itemId = "L1", quantity = 2)))),
)
