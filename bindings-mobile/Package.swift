// swift-tools-version:5.9
// The narvar Swift package: the uniffi-generated `Narvar` module (swift/Sources/Narvar), and the
// Rust library as an XCFramework (`NarvarFFI`), built on a Mac by scripts/build-xcframework.sh.
// Not built on the Linux machines this repository is tested on: no Swift compiler runs there.
import PackageDescription

let package = Package(
    name: "Narvar",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Narvar", targets: ["Narvar"]),
    ],
    targets: [
        .binaryTarget(name: "NarvarFFI", path: "build/NarvarFFI.xcframework"),
        .target(name: "Narvar", dependencies: ["NarvarFFI"], path: "swift/Sources/Narvar"),
    ]
)
