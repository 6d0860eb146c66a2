// The sandbox as a real process on loopback (the `narvar-sandbox` binary), driven through its
// admin API, plus a TCP relay that sees when the client closes a connection.
package narvar.tests

import dev.narvar.*
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit

class Sandbox(binary: String) : AutoCloseable {
    private val adminToken = "sbx_kotlin_" + System.nanoTime()
    private val process: Process = ProcessBuilder(binary, "--port", "0", "--admin-token", adminToken)
        .redirectErrorStream(true).start()
    val url: String
    val account: Map<String, String>
    private val http = HttpClient.newHttpClient()

    init {
        val lines = process.inputStream.bufferedReader()
        var url: String? = null
        val account = mutableMapOf<String, String>()
        while (url == null) {
            val line = lines.readLine() ?: error("the sandbox exited before it was ready")
            if (line.trim().startsWith("account ") && account.isEmpty()) {
                Regex("""(NARVAR_\w+)=(\S+)""").findAll(line).forEach { account[it.groupValues[1]] = it.groupValues[2] }
            }
            Regex("""NARVAR_BASE_URL=(\S+)""").find(line)?.let { url = it.groupValues[1] }
        }
        this.url = url!!
        this.account = account
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
    }

    /** A client of this sandbox's first test account, without the client-side rate budget. */
    fun client(baseUrl: String = url, timeoutMs: ULong? = null, maxAttempts: UInt? = null): Client = Client(config(baseUrl, timeoutMs, maxAttempts))

    fun config(baseUrl: String = url, timeoutMs: ULong? = null, maxAttempts: UInt? = null) = ClientConfig(
        baseUrl = baseUrl,
        accountId = account.getValue("NARVAR_ACCOUNT_ID"),
        authToken = Secret(account.getValue("NARVAR_AUTH_TOKEN")),
        bearerToken = Secret(account.getValue("NARVAR_BEARER_TOKEN")),
        retailerMoniker = account.getValue("NARVAR_RETAILER_MONIKER"),
        hmacKey = Secret(account.getValue("NARVAR_HMAC_KEY")),
        origin = "https://shop.example.test",
        timeoutMs = timeoutMs,
        maxAttempts = maxAttempts,
        noRateBudget = true,
    )

    private fun admin(method: String, path: String, body: Any? = null): Any? {
        val req = HttpRequest.newBuilder(URI.create(url + path)).header("x-sandbox-admin-token", adminToken)
            .header("content-type", "application/json")
            .method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(Json.write(body)))
            .build()
        val res = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(res.statusCode() in 200..299) { "$method $path: ${res.statusCode()} ${res.body()}" }
        return Json.parse(res.body())
    }

    fun reset() { admin("POST", "/_sandbox/reset", mapOf<String, Any>()); admin("DELETE", "/_sandbox/faults") }
    fun fault(rule: Map<String, Any?>) { admin("POST", "/_sandbox/faults", rule) }
    fun advance(hours: Long) { admin("POST", "/_sandbox/clock/advance", mapOf("hours" to hours)) }

    @Suppress("UNCHECKED_CAST")
    fun requests(): List<Map<String, Any?>> = ((admin("GET", "/_sandbox/requests") as Map<String, Any?>)["requests"] as List<Map<String, Any?>>)

    override fun close() {
        process.destroy()
        process.waitFor(5, TimeUnit.SECONDS)
    }
}

/** Forwards loopback connections to `target`, noting when a client closes one. */
class Relay(target: String) : AutoCloseable {
    private val server = ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())
    val url = "http://127.0.0.1:${server.localPort}"
    /** Times (System.nanoTime) at which a client connection ended. */
    val closed = CopyOnWriteArrayList<Long>()

    /** Whether a connection ends within 500 ms, counting from `before` ends already seen. */
    fun closedSince(before: Int): Boolean {
        var waited = 0
        while (closed.size == before && waited++ < 50) Thread.sleep(10)
        return closed.size > before
    }
    private val port = URI.create(target).port

    init {
        Thread {
            while (!server.isClosed) {
                val client = runCatching { server.accept() }.getOrNull() ?: break
                val upstream = Socket("127.0.0.1", port)
                pump(upstream, client, null)
                pump(client, upstream, closed)
            }
        }.apply { isDaemon = true }.start()
    }

    private fun pump(from: Socket, to: Socket, onEnd: MutableList<Long>?) = Thread {
        runCatching { from.getInputStream().copyTo(to.getOutputStream(), 1024) }
        onEnd?.add(System.nanoTime())
        runCatching { from.close() }
        runCatching { to.close() }
    }.apply { isDaemon = true }.start()

    override fun close() = server.close()
}
