// A small JSON reader and writer for the tests (the vectors and the sandbox's admin API); the
// binding itself needs none: its values are typed records.
package narvar.tests

object Json {
    fun parse(text: String): Any? = Reader(text).run { val v = value(); ws(); require(i == s.length) { "trailing text at $i" }; v }

    fun write(v: Any?): String = StringBuilder().also { w(it, v) }.toString()

    private fun w(out: StringBuilder, v: Any?) {
        when (v) {
            null -> out.append("null")
            is String -> { out.append('"'); for (c in v) when {
                c == '"' -> out.append("\\\""); c == '\\' -> out.append("\\\\"); c == '\n' -> out.append("\\n")
                c < ' ' -> out.append("\\u%04x".format(c.code)); else -> out.append(c) }; out.append('"') }
            is Boolean, is Long, is Int -> out.append(v.toString())
            is Double -> if (v == Math.floor(v) && Math.abs(v) < 1e15) out.append(v.toLong()) else out.append(v.toString())
            is Map<*, *> -> { out.append('{'); v.entries.forEachIndexed { i, (k, x) -> if (i > 0) out.append(','); w(out, k.toString()); out.append(':'); w(out, x) }; out.append('}') }
            is List<*> -> { out.append('['); v.forEachIndexed { i, x -> if (i > 0) out.append(','); w(out, x) }; out.append(']') }
            else -> error("not JSON: ${v::class}")
        }
    }

    private class Reader(val s: String) {
        var i = 0
        fun ws() { while (i < s.length && s[i].isWhitespace()) i++ }
        fun value(): Any? {
            ws()
            return when (s[i]) {
                '{' -> { i++; val m = LinkedHashMap<String, Any?>(); ws(); if (s[i] == '}') { i++; return m }
                    while (true) { ws(); val k = str(); ws(); check(s[i++] == ':'); m[k] = value(); ws(); if (s[i++] == '}') return m } ; @Suppress("UNREACHABLE_CODE") m }
                '[' -> { i++; val l = ArrayList<Any?>(); ws(); if (s[i] == ']') { i++; return l }
                    while (true) { l.add(value()); ws(); if (s[i++] == ']') return l }; @Suppress("UNREACHABLE_CODE") l }
                '"' -> str()
                't' -> { i += 4; true }
                'f' -> { i += 5; false }
                'n' -> { i += 4; null }
                else -> { val start = i; while (i < s.length && s[i] in "+-0123456789.eE") i++
                    val t = s.substring(start, i); if (t.any { it in ".eE" }) t.toDouble() else t.toLong() }
            }
        }
        fun str(): String {
            check(s[i++] == '"')
            val b = StringBuilder()
            while (true) {
                val c = s[i++]
                when (c) {
                    '"' -> return b.toString()
                    '\\' -> when (val e = s[i++]) {
                        'n' -> b.append('\n'); 't' -> b.append('\t'); 'r' -> b.append('\r'); 'b' -> b.append('\b'); 'f' -> b.append('\u000c')
                        'u' -> { b.append(s.substring(i, i + 4).toInt(16).toChar()); i += 4 }
                        else -> b.append(e)
                    }
                    else -> b.append(c)
                }
            }
        }
    }
}
