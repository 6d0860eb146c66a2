"""Adjusts uniffi-bindgen's Kotlin where uniffi 0.32 leaves a cost this binding's users would pay.

Four changes, each measured with benches/run.sh (the JVM on one CPU, as an app's call would be):

1. Rust's I/O threads wake a call's future through a JNA callback. A native
thread that JNA finds unattached is attached to the JVM for the callback and detached after it,
which creates a `java.lang.Thread` each time: about 100 µs of every async call measured here
(benches/run.sh). Registering a `CallbackThreadInitializer` for the one continuation callback
keeps those few threads attached, as daemon threads named `narvar-io`, so they never keep a JVM
alive. uniffi's JNI bindgen (uniffi-rs #2911, not in a release yet) makes both moot.

2. Every FFI call allocated a fresh `UniffiRustCallStatus`, a JNA `Structure`: two native `Memory`
blocks (the status and its nested `RustBuffer`), each put in JNA's registry of live memory and
registered with its cleaner, 6-15 µs per call here, and an async call makes about ten of these
calls. Each thread now reuses one status; a call made while that one is in use (freeing an
error's buffer while lifting it) gets a fresh one as before.

3. `client.orders()` (and each family accessor) made a new Kotlin object per call, each with a
JNA cleaner registration and, later, a native free on the cleaner's thread: 30-50 µs of a
`client.orders().get(...)` loop here. The family objects are stateless handles on the client's
shared state, so each `Client` now makes each one once (`by lazy`) and hands out the same object.

4. Every `RustBuffer.ByValue` (each argument lowered, each result returned, so three or more per
call) was a JNA `Structure` with its own malloc'd `Memory`, registered with JNA's cleaner and freed
on its thread, and whose fields JNA read and wrote by reflection: about 6 µs per buffer, and young
collections spent most of their time on the cleaner's references (63 ms a collection before, 15
after). A `ByValue` copies what it is given into memory of its own, and that memory matters only
inside one JNA call: an argument is written to it just before the native call reads it, a result
is copied in and read back at once. So each thread now hands out those 32 bytes from one block of
its own, round-robin over 256 slots, and `RustBuffer` reads and writes its three fields directly.
Two arguments of one call could only share a slot if more than 255 buffers were made on that
thread between lowering the first and the second; a lowering makes one or two, and a `ByValue` is
never made on one thread and passed on another (uniffi lowers arguments in the call expression and
lifts a result where it returns). A nested `RustBuffer` (the call status's `error_buf`) uses its
parent's memory, as JNA points it there before each read and write; the call status, written
before and read after every call, reads and writes its fields directly too. `alloc` + `free` of a buffer:
7 µs to 2 µs; the Kotlin blocking `orders.get` / Rust client went from 1.52x to 1.35x in the same
benchmark.

Run by scripts/gen-mobile.sh on uniffi-bindgen's output; it fails when its anchor is not found
exactly once, so an upgrade of uniffi that changes the template is noticed.
"""

import re
import sys
from pathlib import Path

GENERATED_RS = Path(__file__).resolve().parent.parent / "src" / "generated.rs"

ANCHOR = "internal object uniffiRustFutureContinuationCallbackImpl: UniffiRustFutureContinuationCallback {\n"
ADDED = (
    "    // narvar (tools/patch_kotlin.py): keep Rust's I/O threads attached between callbacks.\n"
    "    init { Native.setCallbackThreadInitializer(this, com.sun.jna.CallbackThreadInitializer(true, false, \"narvar-io\")) }\n"
)


STATUS_CALL = """    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
"""
STATUS_REUSED = """    // narvar (tools/patch_kotlin.py): this thread's status, unless a call is using it.
    val slot = uniffiStatusSlot.get()
    val status = if (slot.busy) UniffiRustCallStatus() else slot.status.also { it.code = UNIFFI_CALL_SUCCESS; slot.busy = true }
    try {
        val return_value = callback(status)
        uniffiCheckCallStatus(errorHandler, status)
        return return_value
    } finally {
        if (status === slot.status) slot.busy = false
    }
"""
STATUS_CLASS = "class InternalException(message: String) : kotlin.Exception(message)\n"
STATUS_SLOT = """
// narvar (tools/patch_kotlin.py): one reusable call status per thread.
internal class UniffiStatusSlot { val status = UniffiRustCallStatus(); var busy = false }
// A subclass, not ThreadLocal.withInitial: that needs Android API 26.
internal val uniffiStatusSlot = object : ThreadLocal<UniffiStatusSlot>() { override fun initialValue() = UniffiStatusSlot() }
"""


BUFFER_CLASS = "    class ByValue: RustBuffer(), Structure.ByValue\n"
BUFFER_FROM_RING = """    class ByValue: RustBuffer(), Structure.ByValue {
        // narvar (tools/patch_kotlin.py): memory from this thread's ring, not a new `Memory`.
        override fun autoAllocate(size: Int): com.sun.jna.Memory = uniffiBufferRing.get().slot(size)
    }

    // narvar (tools/patch_kotlin.py): the three fields without JNA's reflection (its own walk of
    // the class's fields copied every `Field`, for each buffer made).
    override fun getFieldList(): MutableList<java.lang.reflect.Field> = ArrayList(uniffiRustBufferFields)

    override fun read() = readFrom(pointer, 0)

    override fun write() = writeTo(pointer, 0)

    // The three fields at `at` in `p`: this buffer's own memory, or the call status's.
    internal fun readFrom(p: Pointer, at: Long) {
        capacity = p.getLong(at)
        len = p.getLong(at + 8)
        data = p.getPointer(at + 16)
    }

    internal fun writeTo(p: Pointer, at: Long) {
        p.setLong(at, capacity)
        p.setLong(at + 8, len)
        p.setPointer(at + 16, data)
    }
"""
BUFFER_ANCHOR = "// This is a helper for safely passing byte references into the rust code.\n"
BUFFER_RING = """// narvar (tools/patch_kotlin.py): each thread's memory for `RustBuffer.ByValue`s, which hold it
// only while one JNA call writes or reads them (see tools/patch_kotlin.py).
internal class UniffiBufferRing {
    private val block = com.sun.jna.Memory(SLOTS * SLOT_BYTES)
    private var next = 0L

    fun slot(size: Int): com.sun.jna.Memory {
        if (size > SLOT_BYTES) return com.sun.jna.Memory(size.toLong())
        val at = next
        next = (next + 1) % SLOTS
        return block.share(at * SLOT_BYTES, SLOT_BYTES) as com.sun.jna.Memory
    }

    companion object {
        const val SLOTS = 256L
        const val SLOT_BYTES = 32L
    }
}
private val uniffiRustBufferFields = RustBuffer::class.java.let { c -> c.getAnnotation(Structure.FieldOrder::class.java).value.map(c::getField) }
internal val uniffiBufferRing = object : ThreadLocal<UniffiBufferRing>() { override fun initialValue() = UniffiBufferRing() }

"""


STATUS_FIELDS = "    @JvmField var error_buf: RustBuffer.ByValue = RustBuffer.ByValue()\n"
STATUS_FIELDS_DIRECT = STATUS_FIELDS + """
    // narvar (tools/patch_kotlin.py): written before and read after every call; its fields
    // directly, the nested buffer's at the offset JNA laid it out at.
    override fun read() {
        code = pointer.getByte(0)
        error_buf.readFrom(pointer, fieldOffset("error_buf").toLong())
    }

    override fun write() {
        pointer.setByte(0, code)
        error_buf.writeTo(pointer, fieldOffset("error_buf").toLong())
    }
"""


def replace_once(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        sys.exit(f"{what} is not found once; uniffi's Kotlin template changed: review tools/patch_kotlin.py")
    return text.replace(old, new)


def families() -> list[tuple[str, str]]:
    """(accessor, object) of each family accessor, as gen.py wrote them on the Rust `Client`."""
    found = re.findall(r"pub fn (\w+)\(&self\) -> std::sync::Arc<(\w+)>", GENERATED_RS.read_text(encoding="utf-8"))
    if not found:
        sys.exit("patch_kotlin.py: no family accessor in generated.rs")
    return found


def memoize_families(text: str) -> str:
    for accessor, obj in families():
        name = re.sub(r"_(\w)", lambda m: m.group(1).upper(), accessor)
        old = f"override fun `{name}`(): {obj} {{\n            return FfiConverterType{obj}.lift("
        new = (f"override fun `{name}`(): {obj} = uniffiFamily{obj}\n"
               f"    // narvar (tools/patch_kotlin.py): one family object per client.\n"
               f"    private val uniffiFamily{obj}: {obj} by lazy {{\n            FfiConverterType{obj}.lift(")
        text = replace_once(text, old, new, f"Client.{name}()")
    return text


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = replace_once(text, ANCHOR, ANCHOR + ADDED, "the continuation callback's declaration")
    text = replace_once(text, STATUS_CALL, STATUS_REUSED, "uniffiRustCallWithError's body")
    text = replace_once(text, STATUS_CLASS, STATUS_CLASS + STATUS_SLOT, "InternalException")
    text = memoize_families(text)
    text = replace_once(text, BUFFER_CLASS, BUFFER_FROM_RING, "RustBuffer.ByValue")
    text = replace_once(text, STATUS_FIELDS, STATUS_FIELDS_DIRECT, "UniffiRustCallStatus.error_buf")
    text = replace_once(text, BUFFER_ANCHOR, BUFFER_RING + BUFFER_ANCHOR, "ForeignBytes' comment")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1])
