//! The `narvar` program. Only `operations` exists so far; `demo` lands with the sandbox and the
//! Rust client (issues 4 and 5).

use std::process::ExitCode;

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("operations") => {
            for e in narvar_core::REGISTRY {
                let i = &e.info;
                println!("{:<26} {:<6} {:<62} {}", i.name, i.method.as_str(), i.path, i.summary);
            }
            ExitCode::SUCCESS
        }
        Some("demo") => {
            println!("narvar demo: not yet. The demo needs the sandbox and the Rust client, which are not built yet.");
            println!("Meanwhile, `narvar operations` lists the {} operations the core knows.", narvar_core::REGISTRY.len());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: narvar demo | narvar operations");
            ExitCode::from(2)
        }
    }
}
